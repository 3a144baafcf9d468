"""Roster's use cases: the commands it accepts, run in a unit of work."""
