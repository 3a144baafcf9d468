"""Octagon Mesh self-serve platform: the paved road every domain service uses.

Domains import it through :mod:`mesh_platform.domain_api` alone. This ``__init__`` stays empty on purpose: it runs
on every import of any platform module, so exporting the runtime here would load FastAPI, SQLAlchemy and Kafka into
the CLI, the linters and the scaffold too.
"""
