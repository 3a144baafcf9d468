"""``mesh up``: Kafka read ACLs follow the catalog's grants. Every declared subscription is backed by a grant the
owner approved, the ACL reconciler applied the others (the demo clients'), each change is in the event plane's audit
log, and ``mesh acls sync --dry-run`` finds the broker in line with the catalog."""

import httpx
import pytest

from mesh_platform.auth.scopes import read_scope
from mesh_platform.contracts import default_contracts_dir
from mesh_platform.kafka.event_plane import EventPlane
from mesh_tools.launcher.acl_sync import audit_log_path

pytestmark = pytest.mark.e2e


def test_declared_subscriptions_are_approved_grants_and_the_brokers_acls_are_those_of_the_grants(mesh):
    plane = EventPlane.from_contracts(default_contracts_dir())
    grants = httpx.get(f"{mesh.urls['catalog']}/api/v1/grants", auth=mesh.credentials("demo-operator")).json()
    held = {(grant["client_id"], grant["scope"]) for grant in grants}
    for declared in plane.grants:
        assert (declared.principal, read_scope(declared.domain, declared.product, declared.major)) in held, declared

    lines = audit_log_path(mesh.run_dir).read_text().splitlines()
    assert any("by acl reconciler as User:admin: grant User:demo-reader READ on topic roster.fighters.v1: "
               "catalog grant #" in line for line in lines), lines[-20:]

    checked = mesh.cli("acls", "sync", "--dry-run", "--run-dir", str(mesh.run_dir),
                       "--catalog-url", mesh.urls["catalog"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 ACL(s) added, 0 removed (dry run)" in checked.stdout, checked.stdout
