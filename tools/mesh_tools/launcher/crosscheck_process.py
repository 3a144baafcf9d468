"""The cross-product check job under ``mesh up``: its own OAuth client, its read grants, its process.

* :func:`ensure_crosscheck_client` adds the job's client (``quality-checks``) to the local mesh's clients file before
  the catalog registers them. Its one scope, ``write:quality``, lets it report the runs of its own lineage namespace
  (``octagon.quality``); what it may read comes from grants, like any consumer's.
* :class:`CrossCheckJob` runs ``python -m mesh_platform.quality.crosscheck_job`` (logging to
  ``<run dir>/logs/crosscheck.log``), restarts it with back-off if it dies, and — standing in for the owners of the
  local demo mesh, as ``mesh up`` does for the services' declared reads — approves the job's access requests, each
  as the owning domain's client, so the catalog's audit log shows who granted what.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mesh_platform.auth.scopes import write_scope
from mesh_platform.quality.crosscheck import NAMESPACE
from mesh_platform.quality.crosscheck_job import CLIENT_ID
from mesh_tools.child_processes import die_with_parent, signal_group
from mesh_tools.cli.demo_clients import approve_pending_requests, clients_path
from mesh_tools.launcher.topology import env_name

log = logging.getLogger(__name__)

LOG_NAME = "crosscheck.log"
REPORTING_DOMAIN = NAMESPACE.removeprefix("octagon.")
"""The catalog takes lineage of namespace ``octagon.<name>`` from holders of ``write:<name>``: here ``quality``."""
APPROVAL_REASON = "mesh up (local demo): the platform's cross-product quality checks read this product"


def ensure_crosscheck_client(run_dir: Path) -> dict[str, str]:
    """The job's client in ``<run dir>/clients.json`` (added with a new secret if missing; the file stays 0600)."""
    path = clients_path(run_dir)
    clients = json.loads(path.read_text())["clients"] if path.exists() else []
    found = next((client for client in clients if client["client_id"] == CLIENT_ID), None)
    wanted = {"owner": "mesh up (cross-product checks)", "scopes": [write_scope(REPORTING_DOMAIN)]}
    if found is None or any(found.get(key) != value for key, value in wanted.items()):
        if found is None:
            found = {"client_id": CLIENT_ID, "secret": secrets.token_urlsafe(32)}
            clients.append(found)
        found.update(wanted)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(json.dumps({"clients": clients}, indent=2))
    return found


def crosscheck_environment(run_dir: Path, urls: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    """The job's environment: the catalog (results, tokens), every domain's URL, its own client and nothing else's
    secrets (no store URL either: it reads products over HTTP only)."""
    client = ensure_crosscheck_client(run_dir)
    environ = {name: value for name, value in base.items()
               if not name.endswith("DATABASE_URL") and name not in ("MESH_CLIENT_ID", "MESH_CLIENT_SECRET")}
    environ.update(MESH_CATALOG_URL=urls["catalog"], MESH_OIDC_ISSUER=urls["catalog"], MESH_RUN_DIR=str(run_dir),
                   MESH_CLIENT_ID=client["client_id"], MESH_CLIENT_SECRET=client["secret"])
    for name, url in urls.items():
        environ[f"{env_name(name)}_URL"] = url
    return environ


class CrossCheckJob:
    """The supervised job process and the owners' approvals of its access requests."""

    def __init__(self, run_dir: Path, urls: dict[str, str], base: dict[str, str], *, max_backoff: float = 30.0,
                 approve_every: float = 2.0) -> None:
        self.run_dir = run_dir
        self.catalog_url = urls["catalog"]
        self.domains = {name for name in urls if name != "catalog"}
        self.environ = crosscheck_environment(run_dir, urls, base)
        self.log_path = run_dir / "logs" / LOG_NAME
        self.max_backoff = max_backoff
        self.approve_every = approve_every
        self.restarts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> CrossCheckJob:
        """Start the job and its watcher; returns itself (``cleanup.callback(job.start().stop)``)."""
        self.process = self._spawn(preexec=die_with_parent())
        self._thread = threading.Thread(target=self._watch, name="crosscheck-job", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the watcher, then the job (SIGTERM, then SIGKILL after ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.process is not None and self.process.poll() is None:
            signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout)

    def _spawn(self, preexec: Callable[[], None] | None = None) -> subprocess.Popen[bytes]:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            return subprocess.Popen(
                [sys.executable, "-m", "mesh_platform.quality.crosscheck_job"], env=self.environ, stdout=log_file,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec,
            )

    def _watch(self) -> None:
        restart_due: float | None = None
        while not self._stop.wait(self.approve_every):
            try:
                approve_pending_requests(self.catalog_url, self.run_dir, reason=APPROVAL_REASON,
                                         requesters={CLIENT_ID})
            except Exception:  # the catalog is starting or restarting: ask again next round
                pass
            if self.process is None or self.process.poll() is None:
                continue
            now = time.monotonic()
            if restart_due is None:
                delay = min(self.max_backoff, 2.0 ** self.restarts)
                restart_due = now + delay
                log.warning("cross-product check job stopped (exit code %s); restarting in %.0fs — see %s",
                            self.process.returncode, delay, self.log_path)
            elif now >= restart_due:
                self.process, restart_due = self._spawn(), None
                self.restarts += 1
