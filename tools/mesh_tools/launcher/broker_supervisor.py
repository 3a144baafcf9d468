"""Restarts a local Kafka broker node that died, the way the supervisor restarts a crashed service.

``mesh up`` starts a single broker or a cluster of nodes as children of its own; a node that dies (a crash, the OOM
killer, ``kill -9``) is started again on its data with exponential back-off, and every restart is counted in
``services.json`` (``kafka`` or ``kafka-<node id>``), which ``mesh status`` shows. Clients reconnect by themselves:
producers keep their records until the broker answers again, subscribers resume from their committed offsets.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.cluster import LocalKafkaCluster
from mesh_tools.broker.errors import BrokerError

log = logging.getLogger(__name__)


@dataclass
class SupervisedNode:
    """One broker node and its restart history."""

    name: str
    node: LocalKafkaBroker
    started_at: float
    restarts: int = 0
    last_exit: int | None = None
    restart_due: float | None = None  # when a dead node is to be launched again


class BrokerSupervisor:
    """Watches the nodes ``mesh up`` started and relaunches those that died, with back-off.

    A relaunch does not wait for the node to serve (a node of a cluster may need its peers; services must keep
    being supervised meanwhile); a node that exits again during start-up is noticed on a later call like any crash.
    """

    def __init__(
        self,
        broker: LocalKafkaBroker | LocalKafkaCluster,
        *,
        min_backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
        now: float | None = None,
    ) -> None:
        nodes: list[LocalKafkaBroker] = getattr(broker, "nodes", None) or [broker]  # a cluster, or one broker
        began = time.monotonic() if now is None else now
        self.nodes = [
            SupervisedNode("kafka" if len(nodes) == 1 else f"kafka-{node.node_id}", node, began) for node in nodes
        ]
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after

    def supervise(self, now: float | None = None) -> list[str]:
        """Notice dead nodes and relaunch those whose back-off has passed; one line per event."""
        now = time.monotonic() if now is None else now
        happened: list[str] = []
        for watched in self.nodes:
            node = watched.node
            if node.is_running() or watched.restart_due is not None and now < watched.restart_due:
                continue
            if watched.restart_due is None:  # just noticed
                watched.last_exit = node.exit_code
                quick_crashes = 0 if now - watched.started_at >= self.stable_after else watched.restarts
                delay = min(self.max_backoff, self.min_backoff * 2**quick_crashes)
                watched.restart_due = now + delay
                happened.append(
                    f"{watched.name} ({node.bootstrap_servers}) stopped unexpectedly (exit code {watched.last_exit}); "
                    f"restarting in {delay:.0f}s — see {node.server_log}"
                )
                log.warning(happened[-1])
                continue
            try:
                node.launch()
            except BrokerError as e:  # e.g. its ports not released yet: try again after the next back-off
                watched.started_at, watched.restart_due = now, None
                watched.restarts += 1
                happened.append(f"{watched.name} could not be restarted (restart #{watched.restarts}): {e}")
                log.warning(happened[-1])
                continue
            watched.started_at, watched.restart_due = now, None
            watched.restarts += 1
            happened.append(f"{watched.name} restarted on its data (restart #{watched.restarts})")
            log.warning(happened[-1])
        return happened

    def state(self) -> dict[str, dict[str, Any]]:
        """Each node's entry for ``services.json``: pid, address, whether it runs, restarts, last exit code."""
        return {
            watched.name: {
                "pid": _pid(watched.node),
                "url": watched.node.bootstrap_servers,
                "running": watched.node.is_running(),
                "restarts": watched.restarts,
                "last_exit": watched.last_exit,
            }
            for watched in self.nodes
        }


def _pid(node: LocalKafkaBroker) -> int | None:
    try:
        return int(node.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
