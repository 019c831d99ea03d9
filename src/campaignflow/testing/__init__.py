"""Test kit for plan authors: Hypothesis strategies and a pytest plugin."""
