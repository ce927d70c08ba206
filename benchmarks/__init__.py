"""Side-by-side benchmark of this package against its peers (run: ``python benchmarks/run.py``)."""
