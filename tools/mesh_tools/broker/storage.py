"""A broker node's storage: its cluster id, formatting it once (KRaft ``StorageTool``), and what a crash leaves.

Kafka recovers a log after an unclean shutdown by itself (it rebuilds indexes and truncates a half-written last batch
of every segment written since the last recovery point); what it does not clean are files of an interrupted write
that sit beside the ones it reads. :func:`clear_crash_leftovers` removes those before a start.
"""

from __future__ import annotations

import base64
import logging
import re
import subprocess
import uuid
from pathlib import Path

from mesh_platform.kafka.client import SCRAM_MECHANISM
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.server_config import ADMIN_USER

log = logging.getLogger(__name__)

FORMAT_TIMEOUT_SECONDS = 120.0
_LOG_TAIL_LINES = 30
_CLUSTER_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_cluster_id() -> str:
    """A cluster id of the same form as Kafka's ``Uuid.randomUuid()``: 16 random bytes, base64url unpadded."""
    # Kafka re-draws ids that start with '-' because the command line would take them for an option; so do we.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def kept_cluster_id(id_file: Path, log_dirs: list[Path]) -> str:
    """The cluster id kept in ``id_file``, created there on first use, and repaired after a crash.

    A broker refuses a log directory whose ``meta.properties`` names another cluster, so a formatted directory's id
    wins over the file (a crash may have left that empty or cut short); the file is written atomically.
    """
    for log_dir in log_dirs:
        formatted_as = _formatted_cluster_id(log_dir)
        if formatted_as is not None:
            break
    else:
        try:
            formatted_as = id_file.read_text().strip()
        except OSError:
            formatted_as = ""
        if not _CLUSTER_ID.match(formatted_as):
            formatted_as = new_cluster_id()
    try:
        if id_file.read_text().strip() == formatted_as:
            return formatted_as
    except OSError:
        pass
    temporary = id_file.with_name(id_file.name + ".tmp")
    temporary.write_text(formatted_as + "\n")
    temporary.replace(id_file)
    return formatted_as


def _formatted_cluster_id(log_dir: Path) -> str | None:
    try:
        lines = (log_dir / "meta.properties").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id" and _CLUSTER_ID.match(value.strip()):
            return value.strip()
    return None


def is_formatted(log_dir: Path) -> bool:
    """Whether ``log_dir`` holds a complete format (``meta.properties`` is written last, atomically)."""
    return (log_dir / "meta.properties").is_file()


def format_storage(
    java: str,
    java_options: list[str],
    classpath: str,
    properties_file: Path,
    log_dir: Path,
    cluster_id: str,
    admin_password: str,
) -> None:
    """Format ``log_dir`` for ``cluster_id`` unless it already is, with the super user's SCRAM credential.

    Raises :class:`BrokerError` with the tool's output when formatting fails or hangs.
    """
    if is_formatted(log_dir):
        return  # skip a second JVM start (~2 s); `-g` below covers a race with another formatter
    argv = [java, *java_options, "-cp", classpath, "kafka.tools.StorageTool", "format"]
    argv += ["-t", cluster_id, "-c", str(properties_file), "-g"]
    # KIP-900: the super user's SCRAM credential goes into the bootstrap metadata, so the broker can
    # authenticate it (and its own inter-broker connections) from the first start on.
    argv += ["--add-scram", f"{SCRAM_MECHANISM}=[name={ADMIN_USER},password={admin_password}]"]
    try:
        result = subprocess.run(
            argv, cwd=properties_file.parent, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            errors="replace", timeout=FORMAT_TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise BrokerError(f"Formatting Kafka storage in {log_dir} did not finish.") from e
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise BrokerError(
            f"Formatting Kafka storage in {log_dir} failed (exit code {result.returncode}); delete "
            f"{properties_file.parent} to start afresh if it holds nothing you need.\n"
            + "\n".join(output[-_LOG_TAIL_LINES:])
        )
