"""Fixtures of the security suite: a real catalog (the mesh's authorization server) served over HTTP."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from catalog.app import create_app as create_catalog
from catalog.settings import CatalogSettings
from mesh_platform.auth import ClientCredentials, OidcDiscovery
from mesh_tools.testing.ports import free_port


class ServedCatalog:
    """The catalog on a free port, served by uvicorn in a thread, issuing tokens to the clients it was given."""

    def __init__(self, run_dir: Path, clients: list[dict]) -> None:
        (run_dir / "clients.json").write_text(json.dumps({"clients": clients}))
        self.secrets = {client["client_id"]: client["secret"] for client in clients}
        self._credentials: dict[str, ClientCredentials] = {}
        port = free_port()
        self.app = create_catalog(CatalogSettings(run_dir=run_dir, environment="test", port=port, database_url=None,
                                                  clients_file=run_dir / "clients.json"))
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 120  # migrations and argon2 hashes of every client, on a busy machine
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.url} did not start")

    def auth(self, client_id: str, secret: str | None = None) -> ClientCredentials:
        """A client-credentials token source of ``client_id`` (its secret from the clients file by default; that
        one is kept, so its tokens are reused until they near expiry — argon2 makes each new one costly)."""
        if secret is not None:
            return ClientCredentials(client_id, secret, discovery=OidcDiscovery(self.url))
        if client_id not in self._credentials:
            self._credentials[client_id] = ClientCredentials(client_id, self.secrets[client_id],
                                                             discovery=OidcDiscovery(self.url))
        return self._credentials[client_id]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def serve_catalog(tmp_path: Path) -> Iterator[Callable[[list[dict]], ServedCatalog]]:
    """Starts a catalog with the given clients file entries (stopped at the end of the test)."""
    started: list[ServedCatalog] = []

    def start(clients: list[dict]) -> ServedCatalog:
        started.append(ServedCatalog(tmp_path, clients))
        return started[-1]

    yield start
    for catalog in started:
        catalog.stop()
