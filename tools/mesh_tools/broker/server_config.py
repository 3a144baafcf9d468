"""The files a KRaft broker starts from: ``server.properties`` and a Log4j 2 configuration.

One combined broker+controller node by default; :mod:`mesh_tools.broker.cluster` runs several with a node id, the
static voter set and the replication settings of :func:`cluster_properties` each.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

NODE_ID = 1
# A cluster of this many nodes or more keeps three replicas of everything, two of which must acknowledge a write:
# one node may fail without losing an acknowledged record or refusing acks=all producers.
DURABLE_CLUSTER_SIZE = 3

ADMIN_USER = "admin"
CONTROLLER_USER = "controller"
CLIENT_LISTENER = "CLIENT"
CONTROLLER_LISTENER = "CONTROLLER"


def server_properties(
    host: str,
    port: int,
    controller_port: int,
    log_dir: Path,
    *,
    admin_password: str,
    controller_password: str,
    node_id: int = NODE_ID,
    quorum_voters: str | None = None,
    cluster_size: int = 1,
) -> dict[str, str]:
    """The settings of one process that is both the KRaft controller and the only broker of its cluster.

    Clients authenticate with SASL/SCRAM-SHA-512 on ``CLIENT`` and are authorized by KRaft's ``StandardAuthorizer``
    with ``allow.everyone.if.no.acl.found=false``: a principal may do only what an ACL grants it. ``admin`` (whose
    SCRAM credential is written when the storage is formatted) provisions topics, users and ACLs. The controller
    listener uses SASL/PLAIN with one static user, ``controller``: SCRAM cannot authenticate the controller quorum
    (its credentials live in the metadata log the controller serves), and a PLAINTEXT controller listener would
    present ``User:ANONYMOUS``, which would then have to be a super user reachable by anyone who can open the
    controller port. Both ``admin`` (inter-broker traffic on ``CLIENT``) and ``controller`` are super users.

    In a cluster, ``node_id`` names this node, ``quorum_voters`` lists every controller (``id@host:port,...``) and
    ``cluster_size`` sets the replication of the internal topics and the topic defaults (:func:`cluster_properties`).
    The defaults are the single node's settings.
    """
    scram_login = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN_USER}" password="{_jaas_quoted(admin_password)}";'
    )
    plain_login = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{CONTROLLER_USER}" password="{_jaas_quoted(controller_password)}" '
        f'user_{CONTROLLER_USER}="{_jaas_quoted(controller_password)}";'
    )
    client, controller = CLIENT_LISTENER.lower(), CONTROLLER_LISTENER.lower()
    properties = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        # A static voter set, the simplest quorum for one node: `StorageTool format` needs no `--standalone` (that
        # is for a dynamic quorum, `controller.quorum.bootstrap.servers`), and the controller's address is read
        # from this file at every start - a data directory restarts fine after KAFKA_CONTROLLER_PORT changed.
        "controller.quorum.voters": quorum_voters or f"{node_id}@{host}:{controller_port}",
        "listeners": f"{CLIENT_LISTENER}://{host}:{port},{CONTROLLER_LISTENER}://{host}:{controller_port}",
        "advertised.listeners": f"{CLIENT_LISTENER}://{host}:{port},{CONTROLLER_LISTENER}://{host}:{controller_port}",
        "inter.broker.listener.name": CLIENT_LISTENER,
        "controller.listener.names": CONTROLLER_LISTENER,
        "listener.security.protocol.map": f"{CONTROLLER_LISTENER}:SASL_PLAINTEXT,{CLIENT_LISTENER}:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        f"listener.name.{client}.scram-sha-512.sasl.jaas.config": scram_login,
        "sasl.mechanism.controller.protocol": "PLAIN",
        f"listener.name.{controller}.sasl.enabled.mechanisms": "PLAIN",
        f"listener.name.{controller}.plain.sasl.jaas.config": plain_login,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN_USER};User:{CONTROLLER_USER}",
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
        # Topics are provisioned from the contracts (`mesh topics apply`); a typo in a topic name must fail, not
        # create a topic with whatever the broker-wide defaults are.
        "auto.create.topics.enable": "false",
    }
    properties.update(cluster_properties(cluster_size))
    return properties


def cluster_properties(cluster_size: int) -> dict[str, str]:
    """The replication settings of a node in a cluster of ``cluster_size`` nodes (none for a single node).

    From three nodes on, the internal topics (consumer offsets, transaction state, share-group state) and topics
    created without an explicit replication factor get three replicas and ``min.insync.replicas=2``; with fewer
    nodes, as many replicas as there are nodes. Product topics carry their own settings from the contracts.
    """
    if cluster_size <= 1:
        return {}
    replicas = min(cluster_size, DURABLE_CLUSTER_SIZE)
    min_insync = str(replicas - 1)
    return {
        "default.replication.factor": str(replicas),
        "min.insync.replicas": min_insync,
        "offsets.topic.replication.factor": str(replicas),
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": min_insync,
        "share.coordinator.state.topic.replication.factor": str(replicas),
        "share.coordinator.state.topic.min.isr": min_insync,
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


def _jaas_quoted(value: str) -> str:
    # A JAAS option value is a double-quoted string; our passwords are URL-safe base64, but refuse what would break it.
    if '"' in value or "\\" in value or ";" in value:
        raise ValueError("a broker password must not contain quotes, backslashes or semicolons")
    return value


def _escape(value: str) -> str:
    # Properties files treat a backslash as an escape; other characters in a value (`:`, `=`) are literal.
    return value.replace("\\", "\\\\")
