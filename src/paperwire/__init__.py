"""paperwire: a self-hosted way to keep up with research papers."""

__version__ = "0.1.0"
