"""The pytest plugin of the Octagon Mesh platform (the ``pytest11`` entry point ``mesh_tools``).

Installing the tools makes its fixtures available to every test suite of the repository without a conftest.
"""

from mesh_tools.testing.kafka import kafka_bootstrap, kafka_event_plane  # noqa: F401
from mesh_tools.testing.postgres import postgres_url, store_url  # noqa: F401


def pytest_configure(config: object) -> None:
    """Services built in tests talk to no catalog unless a test asks for one (``MESH_CATALOG_ENABLED=true``).

    Otherwise every in-process service would register its test data with whatever catalog listens on :8000.
    """
    import os

    os.environ.setdefault("MESH_CATALOG_ENABLED", "false")
