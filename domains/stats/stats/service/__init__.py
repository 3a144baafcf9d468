"""Stats' use cases: counting the facts other domains publish and re-deriving what they change."""
