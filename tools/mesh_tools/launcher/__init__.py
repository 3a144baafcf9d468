"""Runs the whole mesh on one machine: the broker, the catalog and every domain as separate processes."""
