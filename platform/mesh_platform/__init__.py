"""Octagon Mesh self-serve platform: the paved road every domain service uses."""
