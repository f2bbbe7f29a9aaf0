"""Benchmarks of Vivido's analysis core against its peers; run with `python -m bench`."""
