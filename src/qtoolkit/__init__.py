"""Typed msgspec data model and codecs for HPC queue-job data."""

__version__ = "0.1.0"
