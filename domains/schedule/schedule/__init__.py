"""Schedule domain: owns event cards and bouts; publishes ``event-cards`` and ``bouts``."""
