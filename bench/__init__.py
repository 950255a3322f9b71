"""Benchmarks: one JSON object per line on stdout, each a ratio against a baseline from the same run."""
