"""``mesh broker``: run only the Kafka broker, in the foreground, until Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape
from rich.status import Status

from mesh_platform.kafka.client import KafkaSettingsError, kafka_client_kwargs
from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.cluster import LocalKafkaCluster
from mesh_tools.broker.distribution import KafkaDistribution
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.settings import BrokerSettings
from mesh_tools.cli.topics_command import CREDENTIALS_DIR, provision_event_plane

_EXTERNAL_CHECK_TIMEOUT_MS = 5_000


def run_broker(run_dir: Path, settings: BrokerSettings, console: Console, *, brokers: int = 1) -> int:
    """Provide the mesh's Kafka and return an exit code (0 ok, 1 when the broker could not be had).

    With ``KAFKA_BOOTSTRAP_SERVERS`` set, only check that cluster answers. Otherwise start a local broker with its
    data in ``<run_dir>/kafka`` (``brokers`` > 1: a cluster of that many nodes), print its address and keep it
    running until Ctrl-C or SIGTERM, then stop it.
    """
    try:
        if settings.kafka_bootstrap_servers:
            _check_external(settings.kafka_bootstrap_servers)
            console.print(
                f"Using the Kafka cluster at [bold]{escape(settings.kafka_bootstrap_servers)}[/] "
                "(KAFKA_BOOTSTRAP_SERVERS); no local broker started."
            )
            return 0
        return _run_local(run_dir, settings, console, brokers)
    except BrokerError as e:
        console.print(f"[red]{escape(str(e))}[/]")
        return 1


def _check_external(bootstrap_servers: str) -> None:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        connection = kafka_client_kwargs(bootstrap_servers)
    except KafkaSettingsError as e:
        raise BrokerError(str(e)) from e
    try:
        with KafkaAdminClient(
            **connection,
            bootstrap_timeout_ms=_EXTERNAL_CHECK_TIMEOUT_MS,
            request_timeout_ms=_EXTERNAL_CHECK_TIMEOUT_MS,
        ) as admin:
            admin.list_topics()
    except (KafkaError, OSError) as e:
        raise BrokerError(
            f"No Kafka answers at KAFKA_BOOTSTRAP_SERVERS={bootstrap_servers} ({type(e).__name__}): start it, or "
            "unset KAFKA_BOOTSTRAP_SERVERS to run a local broker."
        ) from e


def _run_local(run_dir: Path, settings: BrokerSettings, console: Console, brokers: int = 1) -> int:
    broker: LocalKafkaBroker | LocalKafkaCluster
    if brokers > 1:
        broker = LocalKafkaCluster(
            run_dir / "kafka",
            nodes=brokers,
            port=settings.kafka_port,
            controller_port=settings.kafka_controller_port,
            distribution=KafkaDistribution(settings.kafka_version),
            heap=settings.kafka_heap,
        )
    else:
        broker = LocalKafkaBroker(
            data_dir=run_dir / "kafka",
            port=settings.kafka_port,
            controller_port=settings.kafka_controller_port,
            distribution=KafkaDistribution(settings.kafka_version),
            heap=settings.kafka_heap,
        )
    with _sigterm_as_keyboard_interrupt():
        try:
            started = time.monotonic()
            with console.status("Preparing Kafka") as status:
                broker.start(progress=lambda line: _show_progress(console, status, line))
            provision_event_plane(run_dir, broker.bootstrap_servers, console, local=True)
            console.print(
                f"[green]Kafka {escape(broker.distribution.version)} ready[/] at [bold]{broker.bootstrap_servers}[/] "
                f"in {time.monotonic() - started:.1f} s (data: {escape(str(broker.data_dir))}, "
                f"log: {escape(str(broker.server_log))}). Press Ctrl-C to stop."
            )
            console.print(
                f"Clients authenticate with SASL/SCRAM-SHA-512: the super user is admin (password in "
                f"{escape(str(broker.data_dir / 'secrets'))}), each domain has its own user (password in "
                f"{escape(str(run_dir / CREDENTIALS_DIR))})."
            )
            while broker.is_running():
                time.sleep(0.5)
            # Still here: the broker died on its own (disk full, killed...). Say so instead of exiting silently.
            raise BrokerError(f"The Kafka broker stopped unexpectedly; see {broker.server_log}.")
        except KeyboardInterrupt:
            console.print("Stopping Kafka...")
        finally:
            broker.stop()
    console.print("Kafka stopped.")
    return 0


def _show_progress(console: Console, status: Status, line: str) -> None:
    # Lines stay in the scroll-back (the download one tells where the jars went); the spinner shows the latest.
    console.print(f"[dim]{escape(line)}[/]")
    status.update(escape(line))


@contextmanager
def _sigterm_as_keyboard_interrupt() -> Iterator[None]:
    # `kill`, systemd and `mesh up` stop us with SIGTERM, whose default action ends Python without running
    # `finally:` blocks, which would orphan the JVM. Treat it like Ctrl-C. Signal handlers can only be set from the
    # main thread; elsewhere the caller owns signal handling.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
