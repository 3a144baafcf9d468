"""A real single-node Kafka broker (KRaft, combined broker and controller) run as a child JVM.

The broker is started straight from its jars - ``java -cp <jars> kafka.Kafka server.properties`` - the way Kafka's
``kafka-server-start.sh`` does it, without the shell scripts (which only ship in the binary tarball).
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from pydantic import SecretStr

from mesh_platform.kafka.client import SCRAM_MECHANISM, KafkaClientSettings
from mesh_platform.kafka.readiness import answers_metadata
from mesh_tools.broker.credentials import PasswordStore
from mesh_tools.broker.distribution import KafkaDistribution, Progress
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.server_config import (
    ADMIN_USER,
    CONTROLLER_USER,
    NODE_ID,
    log4j2_properties,
    render_properties,
    server_properties,
)
from mesh_tools.broker.storage import format_storage, kept_cluster_id
from mesh_tools.child_processes import OwnerLock, die_with_parent, end_leftover, signal_group

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 120.0
_LOG_TAIL_LINES = 30
_HEAP_SIZE = re.compile(r"^(\d+)([kmg]?)$", re.IGNORECASE)
_INITIAL_HEAP = "256m"


class LocalKafkaBroker:
    """One Kafka broker on this machine, its data and logs under ``data_dir``.

    ``data_dir`` keeps ``server.properties``, ``cluster.id``, the partitions (``kraft-combined-logs/``) and the logs
    (``logs/server.log``, ``logs/stdout.log``); starting again on the same directory keeps every record.
    Clients must authenticate (SASL/SCRAM-SHA-512) and are authorized by ACLs; the super user ``admin`` has its
    password in ``secrets/admin.password`` (0600, generated at the first start, see :attr:`admin_settings`).
    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int = 9092,
        controller_port: int = 9093,
        host: str = "127.0.0.1",
        distribution: KafkaDistribution | None = None,
        heap: str = "512m",
        *,
        node_id: int = NODE_ID,
        quorum_voters: str | None = None,
        cluster_size: int = 1,
        cluster_id: str | None = None,
        secrets_dir: Path | None = None,
    ) -> None:
        """A single node by default; :class:`~mesh_tools.broker.cluster.LocalKafkaCluster` passes the node's id,
        the voter set, the cluster's size and id, and the secrets directory every node of the cluster shares."""
        self.data_dir = Path(data_dir)
        self.node_id = node_id
        self.quorum_voters = quorum_voters
        self.cluster_size = cluster_size
        self._given_cluster_id = cluster_id
        self.port = port
        self.controller_port = controller_port
        self.host = host
        self.distribution = distribution or KafkaDistribution()
        self.heap = heap
        self._process: subprocess.Popen[bytes] | None = None
        self._stdout: IO[bytes] | None = None
        self._owner = OwnerLock(self.data_dir / "owner.lock")
        self._secrets = PasswordStore(Path(secrets_dir) if secrets_dir is not None else self.data_dir / "secrets")

    @property
    def bootstrap_servers(self) -> str:
        """The address clients connect to, ``host:port``."""
        return f"{self.host}:{self.port}"

    @property
    def admin_settings(self) -> KafkaClientSettings:
        """How to connect as the super user ``admin`` (provisioning: topics, users, ACLs)."""
        return KafkaClientSettings(
            bootstrap_servers=self.bootstrap_servers,
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=SCRAM_MECHANISM,
            username=ADMIN_USER,
            password=SecretStr(self._secrets.get_or_create(ADMIN_USER)),
            environment="dev",
        )

    @property
    def server_log(self) -> Path:
        """The broker's own log (Log4j), the first place to look when it misbehaves."""
        return self.data_dir / "logs" / "server.log"

    @property
    def log_dir(self) -> Path:
        """Where the broker keeps the partitions and the KRaft metadata log."""
        return self.data_dir / "kraft-combined-logs"

    def start(self, timeout: float = START_TIMEOUT_SECONDS, progress: Progress | None = None) -> LocalKafkaBroker:
        """Start the broker and return once it answers a metadata request.

        Raises :class:`BrokerError` when a port is taken, Java or the jars cannot be had, or the broker exits or
        is not ready within ``timeout`` seconds (then it is stopped again and the error carries its log's tail).
        """
        if self.is_running():
            return self
        self.launch(progress)
        (progress or (lambda _line: None))("Waiting for the broker to answer")
        self.wait_ready(timeout)
        return self

    def launch(self, progress: Progress | None = None) -> None:
        """Start the broker process without waiting for it to serve (a node of a cluster answers only once a
        majority of the controllers runs, so a cluster launches every node first, then waits for each)."""
        if self.is_running():
            return
        say = progress or (lambda _line: None)
        self._take_over_data_dir()
        try:
            self._refuse_taken_port(self.port, "KAFKA_PORT")
            self._refuse_taken_port(self.controller_port, "KAFKA_CONTROLLER_PORT")
            java_options = self._java_options()
            java = self.distribution.java_executable()
            classpath = self.distribution.classpath(progress=say)
            properties_file = self._write_config()
            self._format_storage(java, classpath, java_options, properties_file)
        except BaseException:
            self._owner.release()  # nothing of ours runs there: the directory is free for another
            raise
        say(f"Starting Kafka {self.distribution.version} on {self.bootstrap_servers}"
            + (f" (node {self.node_id})" if self.cluster_size > 1 else ""))
        self._close_stdout()  # the log of a run that crashed (a restart after a crash)
        self._stdout = open(self.data_dir / "logs" / "stdout.log", "ab")
        self._process = subprocess.Popen(
            [java, *java_options, "-cp", classpath, "kafka.Kafka", str(properties_file)],
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C in a terminal signals the foreground process group, so it reaches only us and
            # we stop the broker with one SIGTERM and a wait; and killpg() in stop() reaches whatever the JVM forked.
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        # An exit of the Python process that skips stop() (an uncaught exception, sys.exit) must not orphan a JVM
        # that keeps the ports. Death by a signal skips atexit; die_with_parent covers that.
        atexit.register(self.stop)
        # Whoever must crash this node on purpose (the fault tests) finds its process here; it leads its own group.
        self.pid_file.write_text(f"{self._process.pid}\n")

    @property
    def pid_file(self) -> Path:
        """Holds the id of the broker's process (the leader of its process group) while it runs."""
        return self.data_dir / "kafka.pid"

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Return once the launched broker answers a metadata request; :class:`BrokerError` (and the broker
        stopped) when it exits or does not answer within ``timeout`` seconds."""
        self._wait_until_ready(timeout)

    def stop(self, timeout: float = 30) -> None:
        """Stop the broker: SIGTERM (a clean shutdown that flushes the logs), SIGKILL after ``timeout`` seconds."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait()
        self._close_stdout()
        self.pid_file.unlink(missing_ok=True)
        self._owner.release()  # after the process is gone: the data directory is free for another

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (no clean shutdown); :meth:`start` recovers on the same data."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            signal_group(process, signal.SIGKILL)
            process.wait()
        self._close_stdout()
        self.pid_file.unlink(missing_ok=True)

    @property
    def exit_code(self) -> int | None:
        """The exit code of a broker process that ended without :meth:`stop` or :meth:`kill` (a crash), else None."""
        return self._process.poll() if self._process is not None else None

    def is_running(self) -> bool:
        """Whether the broker process is alive (not necessarily ready)."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> LocalKafkaBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _take_over_data_dir(self) -> None:
        """Become the one process managing ``data_dir``, ending a JVM a crashed predecessor left running.

        ``mesh up`` killed with SIGKILL leaves its broker shutting down (its SIGTERM from ``die_with_parent``) and
        a pid file behind; a start in that moment would find the ports and the log directory's lock taken.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self._owner.acquire():
            raise BrokerError(
                f"Another process (pid {self._owner.holder()}) runs the Kafka broker in {self.data_dir}; stop it "
                "first or use another directory."
            )
        try:
            leftover = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        if end_leftover(leftover, recognised_by=str(self.data_dir / "server.properties")):
            log.warning("stopped Kafka broker process %s left running in %s by a run that ended", leftover, self.data_dir)
        self.pid_file.unlink(missing_ok=True)

    def _close_stdout(self) -> None:
        if self._stdout is not None:
            self._stdout.close()
            self._stdout = None

    def _refuse_taken_port(self, port: int, env_var: str) -> None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # SO_REUSEADDR, as the JVM sets it: a port left in TIME_WAIT by a broker we just stopped is free for Kafka,
        # and only a socket that is really bound there (listening) makes the bind fail.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((self.host, port))
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise BrokerError(f"Cannot use {self.host}:{port} for Kafka ({e.strerror}); set {env_var}.") from e
            raise BrokerError(
                f"Port {port} on {self.host} is already in use (another Kafka broker?): stop that process or "
                f"choose another port with {env_var}=<port>."
            ) from e
        finally:
            probe.close()

    def _java_options(self) -> list[str]:
        heap_bytes = _size_in_bytes(self.heap)
        if heap_bytes is None:
            raise BrokerError(f"KAFKA_HEAP={self.heap!r} is not a JVM memory size such as 512m or 1g.")
        # The JVM refuses an initial heap larger than the maximum, so a small KAFKA_HEAP lowers both.
        initial = self.heap if heap_bytes < (_size_in_bytes(_INITIAL_HEAP) or 0) else _INITIAL_HEAP
        return [
            f"-Xms{initial}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self._log4j_config}",
        ]

    @property
    def _log4j_config(self) -> Path:
        return self.data_dir / "log4j2.properties"

    def _write_config(self) -> Path:
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)  # partitions, metadata and secrets are nobody else's to read
        if (self.log_dir / "meta.properties").is_file() and self._secrets.get(ADMIN_USER) is None:
            raise BrokerError(
                f"The Kafka storage in {self.log_dir} was formatted without SASL credentials (by an older Octagon "
                f"Mesh); delete {self.data_dir} to start afresh if it holds nothing you need."
            )
        properties_file = self.data_dir / "server.properties"
        properties = server_properties(
            self.host,
            self.port,
            self.controller_port,
            self.log_dir,
            admin_password=self._secrets.get_or_create(ADMIN_USER),
            controller_password=self._secrets.get_or_create(CONTROLLER_USER),
            node_id=self.node_id,
            quorum_voters=self.quorum_voters,
            cluster_size=self.cluster_size,
        )
        header = (
            "Single-node KRaft broker written by Octagon Mesh at every start."
            if self.cluster_size <= 1
            else f"Node {self.node_id} of a {self.cluster_size}-node KRaft cluster written by Octagon Mesh at every start."
        )
        # It holds the JAAS passwords: private from its creation on.
        descriptor = os.open(properties_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.chmod(properties_file, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(render_properties(properties, header))
        self._log4j_config.write_text(log4j2_properties(self.server_log))
        return properties_file

    def _cluster_id(self) -> str:
        # Kept beside the data so a restart formats (or skips formatting) with the same id; a broker refuses a log
        # directory whose meta.properties names another cluster. The nodes of a cluster share the cluster's id.
        if self._given_cluster_id is not None:
            return self._given_cluster_id
        return kept_cluster_id(self.data_dir / "cluster.id", [self.log_dir])

    def _format_storage(self, java: str, classpath: str, java_options: list[str], properties_file: Path) -> None:
        format_storage(java, java_options, classpath, properties_file, self.log_dir, self._cluster_id(),
                       self._secrets.get_or_create(ADMIN_USER))

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            returncode = self._process.poll() if self._process is not None else -1
            if returncode is not None:
                self.stop()
                raise BrokerError(
                    f"The Kafka broker exited with code {returncode} during start-up; last lines of its log:\n"
                    + self._log_tail()
                )
            if answers_metadata(self.admin_settings):
                return
            if time.monotonic() > deadline:
                tail = self._log_tail()  # Before stopping, so it shows where start-up got stuck.
                self.stop()
                raise BrokerError(
                    f"The Kafka broker did not become ready on {self.bootstrap_servers} within {timeout:.0f} s; "
                    "last lines of its log:\n" + tail
                )
            time.sleep(0.25)

    def _log_tail(self) -> str:
        parts = []
        for log in (self.server_log, self.data_dir / "logs" / "stdout.log"):
            try:
                lines = log.read_text(errors="replace").splitlines()
            except OSError:
                continue
            if lines:
                parts.append(f"--- {log}\n" + "\n".join(lines[-_LOG_TAIL_LINES:]))
        return "\n".join(parts) or f"(no log written in {self.data_dir / 'logs'})"


def _size_in_bytes(size: str) -> int | None:
    match = _HEAP_SIZE.match(size)
    if match is None:
        return None
    return int(match.group(1)) << (10 * " kmg".index(match.group(2).lower() or " "))
