"""The files a single-node KRaft broker starts from: ``server.properties`` and a Log4j 2 configuration."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

NODE_ID = 1


def server_properties(host: str, port: int, controller_port: int, log_dir: Path) -> dict[str, str]:
    """The settings of one process that is both the KRaft controller and the only broker of its cluster."""
    return {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        # A static voter set, the simplest quorum for one node: `StorageTool format` needs no `--standalone` (that
        # is for a dynamic quorum, `controller.quorum.bootstrap.servers`), and the controller's address is read
        # from this file at every start - a data directory restarts fine after KAFKA_CONTROLLER_PORT changed.
        "controller.quorum.voters": f"{NODE_ID}@{host}:{controller_port}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        # The internal topics default to replication factor 3. On one broker __consumer_offsets then cannot be
        # created (INVALID_REPLICATION_FACTOR in server.log) and a consumer group never finds its coordinator:
        # it polls nothing, forever (checked with 4.3.1).
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # The default 3 s wait for more group members only slows every first poll of a test or a dev run.
        "group.initial.rebalance.delay.ms": "0",
        # Data-product topics keep their whole history so a new subscriber can replay from the start
        # (the broker default is 7 days); -1 disables time- and size-based deletion.
        "log.retention.ms": "-1",
        "log.retention.bytes": "-1",
        "auto.create.topics.enable": "true",
    }


def render_properties(properties: Mapping[str, str], header: str) -> str:
    """``properties`` in java.util.Properties syntax, one ``key=value`` a line under a ``#`` header."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"{key}={_escape(value)}" for key, value in properties.items()]
    return "\n".join(lines) + "\n"


def log4j2_properties(log_file: Path) -> str:
    """A Log4j 2 configuration that sends everything at INFO and above to ``log_file`` (rolled at 10 MB, 3 kept).

    The ``.properties`` format needs nothing beyond log4j-core (YAML needs jackson-dataformat-yaml, which
    kafka_2.13 4.3.1 happens to bring, but we don't rely on it). Nothing goes to stdout: a broker in `mesh broker`
    would bury the CLI's own output.
    """
    settings = {
        "status": "warn",
        # Kafka threads still log while the JVM shuts down; with log4j's own shutdown hook they would find it stopped
        # and print to stdout instead. The file appender flushes every line, so nothing is lost without the hook.
        "shutdownHook": "disable",
        "name": "OctagonMeshKafka",
        "appender.server.type": "RollingFile",
        "appender.server.name": "server",
        "appender.server.fileName": str(log_file),
        "appender.server.filePattern": f"{log_file}.%i",
        "appender.server.layout.type": "PatternLayout",
        "appender.server.layout.pattern": "[%d] %p %m (%c)%n",
        "appender.server.policies.type": "Policies",
        "appender.server.policies.size.type": "SizeBasedTriggeringPolicy",
        "appender.server.policies.size.size": "10MB",
        "appender.server.strategy.type": "DefaultRolloverStrategy",
        "appender.server.strategy.max": "3",
        "rootLogger.level": "INFO",
        "rootLogger.appenderRef.server.ref": "server",
    }
    return render_properties(settings, "Log4j 2 configuration of the local Kafka broker (written by Octagon Mesh).")


def _escape(value: str) -> str:
    # Properties files treat a backslash as an escape; other characters in a value (`:`, `=`) are literal.
    return value.replace("\\", "\\\\")
