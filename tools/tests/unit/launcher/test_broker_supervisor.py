"""A dead broker node is relaunched on its data with back-off, counted, and shown in services.json."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mesh_tools.broker.errors import BrokerError
from mesh_tools.launcher.broker_supervisor import BrokerSupervisor


@dataclass
class FakeNode:
    node_id: int
    pid_file: Path
    running: bool = True
    exit_code: int | None = None
    launches: int = 0
    refusals: list[str] = field(default_factory=list)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{9000 + self.node_id}"

    @property
    def server_log(self) -> Path:
        return self.pid_file.with_name("server.log")

    def is_running(self) -> bool:
        return self.running

    def launch(self) -> None:
        if self.refusals:
            raise BrokerError(self.refusals.pop(0))
        self.launches += 1
        self.running, self.exit_code = True, None

    def crash(self) -> None:
        self.running, self.exit_code = False, -9


@dataclass
class FakeCluster:
    nodes: list[FakeNode]


def test_a_dead_broker_is_relaunched_after_its_back_off_and_the_restart_is_counted(tmp_path):
    node = FakeNode(1, tmp_path / "kafka.pid")
    supervisor = BrokerSupervisor(node, min_backoff=1.0, now=0.0)
    assert supervisor.supervise(now=5.0) == []

    node.crash()
    noticed = supervisor.supervise(now=10.0)
    assert len(noticed) == 1 and "kafka (127.0.0.1:9001) stopped unexpectedly (exit code -9)" in noticed[0]
    assert "restarting in 1s" in noticed[0]
    assert supervisor.supervise(now=10.5) == [] and node.launches == 0  # still backing off

    assert supervisor.supervise(now=11.0) == ["kafka restarted on its data (restart #1)"]
    assert node.launches == 1
    assert supervisor.state()["kafka"] | {"pid": None} == {
        "pid": None, "url": "127.0.0.1:9001", "running": True, "restarts": 1, "last_exit": -9}


def test_a_broker_that_keeps_dying_waits_longer_each_time_up_to_the_maximum(tmp_path):
    node = FakeNode(1, tmp_path / "kafka.pid")
    supervisor = BrokerSupervisor(node, min_backoff=1.0, max_backoff=4.0, stable_after=60.0, now=0.0)
    delays = []
    now = 1.0
    for _ in range(4):
        node.crash()
        supervisor.supervise(now=now)
        due = supervisor.nodes[0].restart_due
        delays.append(due - now)
        now = due
        supervisor.supervise(now=now)
    assert delays == [1.0, 2.0, 4.0, 4.0]

    node.crash()  # after a long stable run the back-off starts over
    supervisor.supervise(now=now + 120)
    assert supervisor.nodes[0].restart_due - (now + 120) == 1.0


def test_each_node_of_a_cluster_is_supervised_on_its_own(tmp_path):
    nodes = [FakeNode(n, tmp_path / f"node-{n}" / "kafka.pid") for n in (1, 2, 3)]
    supervisor = BrokerSupervisor(FakeCluster(nodes), min_backoff=1.0, now=0.0)
    nodes[1].crash()
    supervisor.supervise(now=2.0)
    assert supervisor.supervise(now=3.0) == ["kafka-2 restarted on its data (restart #1)"]
    state = supervisor.state()
    assert sorted(state) == ["kafka-1", "kafka-2", "kafka-3"]
    assert [state[name]["restarts"] for name in sorted(state)] == [0, 1, 0]
    assert [node.launches for node in nodes] == [0, 1, 0]


def test_a_relaunch_the_broker_refuses_is_reported_and_tried_again_later(tmp_path):
    node = FakeNode(1, tmp_path / "kafka.pid", refusals=["Port 9001 on 127.0.0.1 is already in use"])
    supervisor = BrokerSupervisor(node, min_backoff=1.0, now=0.0)
    node.crash()
    supervisor.supervise(now=1.0)
    refused = supervisor.supervise(now=2.0)
    assert refused == ["kafka could not be restarted (restart #1): Port 9001 on 127.0.0.1 is already in use"]
    supervisor.supervise(now=3.0)  # noticed again, backing off longer
    assert supervisor.supervise(now=10.0) == ["kafka restarted on its data (restart #2)"]
    assert node.launches == 1
