"""The ``paperwire`` command line: a thin layer over the library."""
