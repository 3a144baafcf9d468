"""Fault tests: a broker of their own that they crash and restart, and PostgreSQL stores."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from mesh_platform.subscriptions.dead_letter import dead_letter_topic
from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.topics import ensure_topics
from mesh_tools.testing.ports import free_port

from .ledger import TOPIC


@pytest.fixture
def crashable_broker(tmp_path) -> Iterator[LocalKafkaBroker]:
    """A broker only this test uses, so it may be killed; the ledger topic and a dead-letter topic exist."""
    port, controller_port = free_port(), free_port()
    while controller_port == port:
        controller_port = free_port()
    broker = LocalKafkaBroker(tmp_path / "kafka", port=port, controller_port=controller_port)
    broker.start()
    ensure_topics(broker.admin_settings, [TOPIC, dead_letter_topic("totals")], partitions=3)
    try:
        yield broker
    finally:
        broker.stop()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` until true; return the seconds it took, or fail the test naming ``what``."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            pytest.fail(f"{what}: not reached within {timeout:.0f}s")
        time.sleep(0.2)
    return time.monotonic() - began
