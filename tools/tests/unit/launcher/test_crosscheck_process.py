"""mesh up gives the cross-product check job a client of its own and an environment with no one else's secrets."""

from __future__ import annotations

import json
import stat

from mesh_tools.cli.demo_clients import ensure_demo_clients, load_clients
from mesh_tools.launcher.crosscheck_process import crosscheck_environment, ensure_crosscheck_client

URLS = {"catalog": "http://127.0.0.1:8000", "roster": "http://127.0.0.1:8001", "new-domain": "http://127.0.0.1:8005"}


def test_the_job_client_joins_the_mesh_clients_keeps_its_secret_and_the_file_stays_private(tmp_path):
    ensure_demo_clients(tmp_path, ["roster"])
    first = ensure_crosscheck_client(tmp_path)
    clients = load_clients(tmp_path)
    assert {"roster", "demo-reader", "quality-checks"} <= set(clients)
    assert clients["quality-checks"]["secret"] == first["secret"]
    # It may report the runs of its own lineage namespace (octagon.quality); it reads through grants, like any consumer.
    assert clients["quality-checks"]["scopes"] == ["write:quality"]
    assert stat.S_IMODE((tmp_path / "clients.json").stat().st_mode) == 0o600

    ensure_demo_clients(tmp_path, ["roster"])  # the next mesh up rewrites the file: the job's client stays
    assert ensure_crosscheck_client(tmp_path)["secret"] == first["secret"]
    assert json.loads((tmp_path / "clients.json").read_text())["clients"].count(clients["quality-checks"]) == 1


def test_the_job_environment_names_the_catalog_every_domain_and_only_its_own_credentials(tmp_path):
    ensure_demo_clients(tmp_path, ["roster"])
    base = {"PATH": "/usr/bin", "DATABASE_URL": "postgresql://x", "ROSTER_DATABASE_URL": "postgresql://y",
            "MESH_CLIENT_SECRET": "someone-elses", "MESH_CLIENT_ID": "roster"}
    environ = crosscheck_environment(tmp_path, URLS, base)
    assert environ["MESH_CLIENT_ID"] == "quality-checks"
    assert environ["MESH_CLIENT_SECRET"] == load_clients(tmp_path)["quality-checks"]["secret"]
    assert (environ["MESH_CATALOG_URL"], environ["MESH_OIDC_ISSUER"]) == (URLS["catalog"], URLS["catalog"])
    assert (environ["ROSTER_URL"], environ["NEW_DOMAIN_URL"]) == (URLS["roster"], URLS["new-domain"])
    assert not any(name.endswith("DATABASE_URL") for name in environ)
    assert environ["PATH"] == "/usr/bin"
