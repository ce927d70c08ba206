"""The version of this package (upstream qtoolkit has this module too, read by its ``__init__``)."""

__version__ = "0.1.0"
