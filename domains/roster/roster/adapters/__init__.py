"""Roster's adapters: its tables, repository, unit of work and event mapping."""
