"""The ACL reconciler as ``mesh up`` and ``mesh acls sync`` run it: next to the broker, with its admin credentials,
reading the catalog's grants with a token of its own client, appending every change to the event plane's audit log.

In the distributed deployment the same loop runs as ``mesh acls sync --watch`` (a long-running service beside the
cluster), or ``mesh acls sync`` as a periodic job; see deploy/README.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs
from mesh_platform.kafka.event_plane import EventPlane
from mesh_tools.event_plane.acl_grants import CatalogGrants
from mesh_tools.event_plane.acl_reconciler import AclChange, AclReconciler

AUDIT_LOG = "event-plane-audit.log"
DEFAULT_INTERVAL = 1.0


def audit_log_path(run_dir: Path) -> Path:
    """``<run dir>/logs/event-plane-audit.log``: provisioning's grants and the reconciler's changes, appended."""
    return run_dir / "logs" / AUDIT_LOG


class AuditFile:
    """Appends one line per ACL change (when, by whom, what, why) to the event plane's audit log."""

    def __init__(self, path: Path, actor: str) -> None:
        self.path = path
        self.actor = actor
        self._lock = threading.Lock()

    def __call__(self, change: AclChange) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as file:
                file.write(f"{now} by {self.actor}: {change.line()}\n")


def build_reconciler(
    plane: EventPlane,
    admin: KafkaClientSettings,
    catalog_url: str,
    catalog_auth: httpx.Auth | None,
    run_dir: Path,
) -> tuple[AclReconciler, CatalogGrants]:
    """A reconciler of ``plane`` acting as ``admin`` on Kafka and reading grants from ``catalog_url``."""

    def admin_client() -> Any:
        from kafka import KafkaAdminClient

        return KafkaAdminClient(**kafka_client_kwargs(admin), client_id="mesh-acl-reconciler",
                                request_timeout_ms=10_000, bootstrap_timeout_ms=10_000)

    grants = CatalogGrants(catalog_url, catalog_auth)
    audit = AuditFile(audit_log_path(run_dir), f"acl reconciler as {admin.principal or 'the admin client'}")
    return AclReconciler(plane, grants, admin_client, on_change=audit), grants


@dataclass
class RunningReconciler:
    """A reconciler looping in a thread of ``mesh up``; :meth:`stop` ends it."""

    reconciler: AclReconciler
    thread: threading.Thread
    stop_event: threading.Event
    close: Callable[[], None]

    def stop(self) -> None:
        self.stop_event.set()
        self.reconciler.wake()
        self.thread.join(15)
        self.close()


def start_reconciler(reconciler: AclReconciler, grants: CatalogGrants,
                     interval: float = DEFAULT_INTERVAL) -> RunningReconciler:
    """Run ``reconciler`` every ``interval`` seconds in a daemon thread."""
    stop = threading.Event()
    thread = threading.Thread(target=reconciler.run, args=(stop, interval), name="acl-reconciler", daemon=True)
    thread.start()
    return RunningReconciler(reconciler, thread, stop, grants.close)
