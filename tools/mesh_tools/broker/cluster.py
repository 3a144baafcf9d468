"""A real multi-node Kafka cluster on this machine: N combined broker+controller nodes (KRaft, static quorum).

Each node is a :class:`~mesh_tools.broker.broker.LocalKafkaBroker` with its own node id, client and controller
ports and data directory (``<data_dir>/node-<id>``); all are formatted with one cluster id (``<data_dir>/cluster.id``)
and share one secrets directory (``<data_dir>/secrets``: the super user's SCRAM password and the controller
listener's password), and every node lists every controller in ``controller.quorum.voters``. From three nodes on,
the internal topics and unconfigured topics keep three replicas with ``min.insync.replicas=2``, so one node may
crash without losing an acknowledged record or refusing ``acks=all`` producers.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path
from types import TracebackType

from mesh_platform.kafka.client import KafkaClientSettings
from mesh_tools.broker.broker import START_TIMEOUT_SECONDS, LocalKafkaBroker
from mesh_tools.broker.distribution import KafkaDistribution, Progress
from mesh_tools.broker.storage import kept_cluster_id

NODE_PORT_STEP = 100
"""Node n listens on the cluster's client and controller ports + 100·(n-1), as ``mesh up --replicas`` spaces
service instances: 9092/9093 for node 1, 9192/9193 for node 2, 9292/9293 for node 3."""


class LocalKafkaCluster:
    """``nodes`` Kafka nodes on this machine, their data under ``data_dir``; restarting keeps every record.

    Start and stop it as a whole (:meth:`start`, :meth:`stop`, or as a context manager), crash and restart one
    node (:meth:`kill`, :meth:`restart`). Clients connect to :attr:`bootstrap_servers`, the list of every node.
    """

    def __init__(
        self,
        data_dir: Path,
        nodes: int = 3,
        port: int = 9092,
        controller_port: int = 9093,
        host: str = "127.0.0.1",
        distribution: KafkaDistribution | None = None,
        heap: str = "512m",
        port_step: int = NODE_PORT_STEP,
        *,
        ports: list[tuple[int, int]] | None = None,
    ) -> None:
        """``ports`` gives each node's (client, controller) ports; by default node n uses ``port`` and
        ``controller_port`` plus ``port_step``·(n-1)."""
        if nodes < 1:
            raise ValueError(f"a cluster needs at least one node, not {nodes}")
        if ports is None:
            ports = [(port + port_step * n, controller_port + port_step * n) for n in range(nodes)]
        if len(ports) != nodes:
            raise ValueError(f"{nodes} nodes need {nodes} port pairs, not {len(ports)}")
        every = [number for pair in ports for number in pair]
        if len(set(every)) != len(every):
            raise ValueError(f"the nodes' client and controller ports must all differ: {ports}")
        self.data_dir = Path(data_dir)
        self.host = host
        self.distribution = distribution or KafkaDistribution()
        voters = ",".join(f"{n}@{host}:{controller}" for n, (_client, controller) in enumerate(ports, start=1))
        self._cluster_id: str | None = None
        self._size = nodes
        self.nodes = [
            LocalKafkaBroker(
                self.data_dir / f"node-{n}",
                port=client,
                controller_port=controller,
                host=host,
                distribution=self.distribution,
                heap=heap,
                node_id=n,
                quorum_voters=voters,
                cluster_size=nodes,
                cluster_id=self.cluster_id,
                secrets_dir=self.data_dir / "secrets",
            )
            for n, (client, controller) in enumerate(ports, start=1)
        ]

    @property
    def cluster_id(self) -> str:
        """The id every node is formatted with, kept in ``<data_dir>/cluster.id`` so restarts reuse it."""
        if self._cluster_id is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.data_dir, 0o700)  # the nodes' partitions and the shared secrets are nobody else's
            log_dirs = [self.data_dir / f"node-{n}" / "kraft-combined-logs" for n in range(1, self._size + 1)]
            self._cluster_id = kept_cluster_id(self.data_dir / "cluster.id", log_dirs)
        return self._cluster_id

    @property
    def bootstrap_servers(self) -> str:
        """Every node's client address, comma-separated: a client reaches the cluster while any one answers."""
        return ",".join(node.bootstrap_servers for node in self.nodes)

    @property
    def admin_settings(self) -> KafkaClientSettings:
        """How to connect as the super user ``admin`` to the whole cluster (provisioning: topics, users, ACLs)."""
        return self.nodes[0].admin_settings.model_copy(update={"bootstrap_servers": self.bootstrap_servers})

    @property
    def server_log(self) -> Path:
        """Node 1's own log (Log4j); node n logs to ``<data_dir>/node-<n>/logs/server.log``."""
        return self.nodes[0].server_log

    def node(self, node_id: int) -> LocalKafkaBroker:
        """The node with id ``node_id`` (1..N)."""
        if not 1 <= node_id <= len(self.nodes):
            raise ValueError(f"the cluster has nodes 1..{len(self.nodes)}, not {node_id}")
        return self.nodes[node_id - 1]

    def start(self, timeout: float = START_TIMEOUT_SECONDS, progress: Progress | None = None) -> LocalKafkaCluster:
        """Launch every node, then return once each answers a metadata request.

        A node serves only once a majority of the controllers has elected a leader, so waiting for the first node
        before launching the second would never end. On failure every node is stopped and :class:`BrokerError`
        carries the failing node's log tail.
        """
        say = progress or (lambda _line: None)
        atexit.register(self.stop)
        try:
            for node in self.nodes:
                node.launch(progress=say)
            say(f"Waiting for the {len(self.nodes)} Kafka nodes to form a quorum and answer")
            deadline = time.monotonic() + timeout
            for node in self.nodes:
                node.wait_ready(max(1.0, deadline - time.monotonic()))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 30) -> None:
        """Stop every node cleanly (SIGTERM, SIGKILL after ``timeout`` seconds), all at once.

        One by one, the last node would wait out its timeout: a broker's controlled shutdown asks the controller
        quorum, which has lost its majority once the others are gone.
        """
        atexit.unregister(self.stop)
        stopping = [threading.Thread(target=node.stop, args=(timeout,), name=f"stop-kafka-{node.node_id}")
                    for node in self.nodes]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()

    def kill(self, node_id: int) -> None:
        """SIGKILL node ``node_id``, as a crash would; the others keep serving while a majority runs."""
        self.node(node_id).kill()

    def restart(self, node_id: int, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Start node ``node_id`` again on its data and return once it answers (it then catches up as a follower)."""
        self.node(node_id).start(timeout)

    def is_running(self) -> bool:
        """Whether every node's process is alive."""
        return all(node.is_running() for node in self.nodes)

    def __enter__(self) -> LocalKafkaCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
