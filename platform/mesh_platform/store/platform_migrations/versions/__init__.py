"""Revisions of the platform's tables (kept as a package so non-editable installs ship them)."""
