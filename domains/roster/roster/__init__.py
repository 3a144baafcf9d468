"""Roster domain: owns the fighters and publishes the ``fighters`` data product."""
