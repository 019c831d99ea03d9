"""Tests of the seed-plan plugins in plugins/ (a package, so that module names do not clash with tests/examples/)."""
