"""Who may decide, what a client holds by being a domain, whose lineage an event writes, where the key comes from."""

import json
import stat
from datetime import UTC, datetime

import pytest

from catalog.adapters.signing_key import SigningKeyMissing, load_signing_key
from catalog.domain.access import AccessRequest, Client, may_decide, may_see, own_scopes
from catalog.domain.lineage_ownership import foreign_part

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def request(**changes) -> AccessRequest:
    values = dict(id=1, client_id="analyst", domain="roster", product="fighters", major=1, pii=True,
                  purpose="research", status="pending", requested_at=NOW)
    values.update(changes)
    return AccessRequest(**values)


def test_approving_a_request_grants_the_read_of_that_major_and_its_personal_data_only_if_asked():
    assert request().scopes == ["read:roster.fighters.v1", "pii:roster.fighters"]
    assert request(pii=False, major=2).scopes == ["read:roster.fighters.v2"]


def test_only_the_owning_domains_admin_or_the_catalogs_decides():
    assert may_decide(frozenset({"admin:roster"}), request())
    assert may_decide(frozenset({"admin:catalog"}), request())
    for scopes in ({"write:roster"}, {"admin:schedule"}, {"read:roster.fighters.v1", "pii:roster.fighters"}, {"*"}):
        assert not may_decide(frozenset(scopes), request()), scopes


def test_requesters_see_their_own_requests_and_nobody_elses():
    assert may_see("analyst", frozenset(), request())
    assert not may_see("someone", frozenset({"admin:schedule"}), request())


def test_a_service_client_holds_its_own_domain_and_nothing_of_another():
    roster = Client("roster", "hash", "roster", None, NOW)
    assert own_scopes(roster, [("fighters", 1)]) == {
        "write:roster", "admin:roster", "read:roster.fighters.v1", "pii:roster.fighters"}
    person = Client("analyst", "hash", None, "research", NOW)
    assert own_scopes(person, [("fighters", 1)]) == set()


def event(job_namespace: str, job_name: str, outputs=(), inputs=()) -> bytes:
    return json.dumps({"eventType": "COMPLETE", "job": {"namespace": job_namespace, "name": job_name},
                       "inputs": [{"namespace": n, "name": d} for n, d in inputs],
                       "outputs": [{"namespace": n, "name": d} for n, d in outputs]}).encode()


@pytest.mark.parametrize("body, scopes, needed", [
    (event("octagon.stats", "derive.records", [("octagon.stats", "fighter-records.v1")]), {"write:stats"}, None),
    (event("octagon.stats", "derive.records"), {"write:roster"}, "write:stats"),
    (event("octagon.stats", "derive.x", [("octagon.roster", "fighters.v1")]), {"write:stats"}, "write:roster"),
    (event("octagon.consumers", "kafka.schedule"), {"write:schedule"}, None),
    (event("octagon.consumers", "kafka.schedule"), {"write:stats"}, "write:schedule"),
    (event("octagon.consumers", "http.demo-reader", inputs=[("octagon.roster", "fighters.v1")]), {"write:roster"}, None),
    (event("octagon.consumers", "http.demo-reader", inputs=[("octagon.roster", "fighters.v1")]), {"write:stats"},
     "write:roster"),
    (event("food_delivery", "etl"), {"write:roster"}, "admin:catalog"),
    (event("food_delivery", "etl"), {"admin:catalog"}, None),
    (json.dumps({"dataset": {"namespace": "octagon.roster", "name": "fighters.v1"}}).encode(), {"write:stats"},
     "write:roster"),
    (b"not json", set(), None),  # left to ingestion's own 400
])
def test_lineage_is_written_only_for_the_callers_own_jobs_and_datasets(body, scopes, needed):
    assert foreign_part(body, frozenset(scopes)) == needed


def test_production_refuses_to_start_without_a_configured_signing_key(tmp_path):
    with pytest.raises(SigningKeyMissing, match="CATALOG_SIGNING_KEY_FILE"):
        load_signing_key(None, tmp_path, production=True)
    assert not list(tmp_path.iterdir())


def test_dev_generates_a_private_key_once_and_keeps_it(tmp_path):
    first = load_signing_key(None, tmp_path, production=False)
    again = load_signing_key(None, tmp_path, production=False)
    assert first.kid == again.kid
    [key_file] = tmp_path.iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
