"""The pytest plugin of the Octagon Mesh platform (the ``pytest11`` entry point ``mesh_platform``).

Installing the platform makes its fixtures available to every test suite of the repository without a conftest.
"""

from mesh_platform.testing.kafka import kafka_bootstrap  # noqa: F401
from mesh_platform.testing.postgres import postgres_url, store_url  # noqa: F401
