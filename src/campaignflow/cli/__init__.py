"""The ``campaignflow`` command line: a thin click layer over the library."""
