"""Benchmarks at the scales in SCENARIO.md. Never part of the test run: `make bench`."""
