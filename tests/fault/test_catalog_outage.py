"""The catalog down for a minute under ``mesh up`` (killed, and kept down): the domains keep serving and
publishing — they verify the tokens callers already hold against the issuer's keys they cached, and keep using
their own until it expires — and the registrations and lineage they produced meanwhile wait and reach the catalog
once it is back, none lost.

The limits (see ``auth/client_credentials.py`` and ``auth/tokens.py``): nobody obtains a *new* token while the
catalog, the mesh's issuer, is down, and a service that starts during the outage has no keys cached to verify with.
"""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from mesh_tools.launcher.supervisor import port_in_use

from .conftest import wait_until
from .mesh_run import MeshUp, Operator, mesh_environment, replicated

OUTAGE_SECONDS = 60.0
ANALYST = "demo-analyst"


@pytest.fixture
def mesh(tmp_path):
    mesh = MeshUp(mesh_environment(tmp_path / "run"))
    took = mesh.start()
    print(f"\nmesh up ready in {took:.0f}s")
    try:
        yield mesh
    finally:
        mesh.stop()


def catalog_rows(mesh: MeshUp, query: str, **parameters) -> list:
    engine = create_engine(f"sqlite:///{mesh.run_dir / 'catalog.db'}")
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(query), parameters))
    finally:
        engine.dispose()


def analyst_runs(mesh: MeshUp) -> dict[str, str]:
    """The catalog's runs of the analyst's HTTP reads: run id → state."""
    return dict(catalog_rows(mesh, "SELECT r.run_id, r.state FROM lineage_runs r JOIN lineage_nodes n ON r.job = n.id "
                                   "WHERE n.name = :job", job=f"http.{ANALYST}"))


def test_with_the_catalog_down_for_a_minute_domains_serve_and_publish_and_the_catalog_gets_everything_after(mesh):
    from mesh_tools.cli.demo_clients import credentials_of

    operator = Operator(mesh)
    catalog = mesh.urls["catalog"]
    analyst = credentials_of(mesh.run_dir, ANALYST, catalog)
    analyst.timeout = 30.0
    try:
        products = httpx.get(f"{catalog}/api/v1/data-products", params={"limit": 1000}, timeout=30).json()["items"]
        ports = sorted({(p["domain"], p["product"], major) for p in products for major in p["majors"]})
        assert {domain for domain, _, _ in ports} == {"roster", "schedule", "results", "stats"}
        # Every domain has verified a token before (a service caches the issuer's keys on first use).
        for domain, product, major in ports:
            answer = operator.read(f"{mesh.urls[domain]}/data-products/{product}/v{major}", limit=1)
            assert answer.status_code == 200, answer.text
        red, blue = operator.register_fighter("Before Outage Red"), operator.register_fighter("Before Outage Blue")
        wait_until(lambda: replicated(mesh.run_dir, [red, blue]), 120, "roster's events reached its subscribers")
        operator.auth.token(), operator.reader.token(), analyst.token()  # tokens held before the outage

        # Down: mesh up frozen (so it does not restart the catalog), the catalog killed.
        os.kill(mesh.process.pid, signal.SIGSTOP)
        catalog_pid = mesh.state()["catalog"]["pid"]
        os.killpg(catalog_pid, signal.SIGKILL)
        went_down = time.time()
        catalog_address = httpx.URL(catalog)
        wait_until(lambda: not port_in_use(catalog_address.host, catalog_address.port), 30, "the catalog is down")
        commands = reads = 0
        fighters: list[str] = []
        while time.time() - went_down < OUTAGE_SECONDS:
            # Commands and reads are answered; roster's events reach schedule (a booking needs them).
            pair = [operator.register_fighter(f"Outage Red {commands}"),
                    operator.register_fighter(f"Outage Blue {commands}")]
            wait_until(lambda pair=pair: replicated(mesh.run_dir, pair), 60, "roster's events reached its subscribers")
            operator.book_bout(*pair, timeout=30)
            fighters += pair
            commands += 4
            for domain, product, major in ports:  # the analyst's first reads: consumers and lineage to report
                answer = operator.read(f"{mesh.urls[domain]}/data-products/{product}/v{major}", analyst, limit=5)
                assert answer.status_code == 200, f"{domain} {product}: {answer.status_code} {answer.text[:300]}"
                reads += 1
            time.sleep(2)
        assert analyst_runs(mesh) == {}  # nothing of it could have reached the catalog yet
        print(f"\n{commands} commands and {reads} reads answered during the {OUTAGE_SECONDS:.0f}s outage")
    finally:
        if mesh.process.poll() is None:
            os.kill(mesh.process.pid, signal.SIGCONT)  # back: mesh up restarts the catalog after its back-off
    mesh.wait_for_line("catalog restarted (restart #1)", 60)
    back_at = time.time()

    # Afterwards: each product the analyst read has it as a consumer and one completed run of its reader job...
    def analyst_delivered() -> bool:
        consumers = catalog_rows(mesh, "SELECT domain, product, major FROM consumers WHERE consumer = :c", c=ANALYST)
        runs = analyst_runs(mesh)
        return set(consumers) >= set(ports) and len(runs) >= len(ports) and set(runs.values()) == {"COMPLETED"}

    took = wait_until(analyst_delivered, 180, "the analyst's consumer registrations and runs reached the catalog")
    runs = analyst_runs(mesh)
    assert len(runs) == len(ports) and set(runs.values()) == {"COMPLETED"}  # one per product, none half-delivered
    # ...and the subscriptions' runs from the outage arrived, every one of them completed.
    outage_runs = catalog_rows(
        mesh, "SELECT n.name, r.state FROM lineage_runs r JOIN lineage_nodes n ON r.job = n.id "
              "WHERE n.name LIKE 'kafka.%' AND r.started_at BETWEEN :down AND :back",
        down=_sqlite_time(went_down), back=_sqlite_time(went_down + OUTAGE_SECONDS))
    assert {name for name, _ in outage_runs} >= {"kafka.schedule"}, outage_runs
    assert {state for _, state in outage_runs} == {"COMPLETED"}
    # The catalog serves again, its issuer too: a new token and a read of the catalog work.
    assert httpx.get(f"{catalog}/api/v1/data-products/roster/fighters", timeout=30).status_code == 200
    assert credentials_of(mesh.run_dir, "demo-reader", catalog).token()
    print(f"\nbuffered registrations and lineage delivered within {time.time() - back_at:.0f}s of the catalog's "
          f"restart ({took:.0f}s of waiting); {len(outage_runs)} subscription runs from the outage")
    operator.close()


def _sqlite_time(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")
