"""Benchmarks: each prints markdown table rows with the figure and its ratio against a bare baseline."""
