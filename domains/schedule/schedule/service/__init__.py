"""Schedule's use cases: commands and the reactions to other domains' events."""
