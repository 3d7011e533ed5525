"""Benchmarks: run with `python -m benchmarks.NAME` from the project root."""
