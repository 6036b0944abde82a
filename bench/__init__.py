"""Benchmarks of the grader: `python -m bench.grading` (see bench/README.md)."""
