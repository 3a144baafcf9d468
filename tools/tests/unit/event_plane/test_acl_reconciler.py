"""The ACL reconciler's plan and rounds, against a hand-written admin client that keeps ACLs in a set."""

from __future__ import annotations

import httpx
import pytest
from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType

from mesh_platform.kafka.event_plane import EventPlane, TopicSpec
from mesh_tools.event_plane.acl_grants import CatalogGrants, topic_of_read_scope
from mesh_tools.event_plane.acl_reconciler import AclReconciler, GrantsUnavailable, ReadGrantRecord, plan
from mesh_tools.event_plane.acls import group_acls, topic_read_acls, topic_write_acls

FIGHTERS = "roster.fighters.v1"
BOUTS = "schedule.bouts.v1"


def plane() -> EventPlane:
    topics = [
        TopicSpec(FIGHTERS, 3, 1, {}, "roster", "product", "fighters", 1),
        TopicSpec(BOUTS, 3, 1, {}, "schedule", "product", "bouts", 1),
        TopicSpec("schedule.dlq", 1, 1, {}, "schedule", "dead-letter"),
    ]
    return EventPlane(topics=topics, principals=["roster", "schedule"], consumer_groups={"schedule": "schedule"})


def allow(principal: str, operation: ACLOperation, topic: str,
          pattern: ACLResourcePatternType = ACLResourcePatternType.LITERAL) -> ACL:
    return ACL(f"User:{principal}", "*", operation, ACLPermissionType.ALLOW,
               ResourcePattern(ResourceType.TOPIC, topic, pattern))


class FakeAdmin:
    """The three calls the reconciler makes, over a set of bindings."""

    def __init__(self, acls: set[ACL]) -> None:
        self.acls = set(acls)
        self.closed = False

    def describe_acls(self, _filter):
        return list(self.acls), None

    def create_acls(self, acls):
        self.acls |= set(acls)
        return {"succeeded": list(acls), "failed": []}

    def delete_acls(self, filters):
        results = []
        for f in filters:
            matches = [a for a in self.acls if (a.principal, a.host, a.operation, a.resource_pattern.resource_name,
                                                a.resource_pattern.pattern_type) ==
                       (f.principal, f.host, f.operation, f.resource_pattern.resource_name,
                        f.resource_pattern.pattern_type)]
            self.acls -= set(matches)
            results.append((f, matches, None))
        return results

    def close(self):
        self.closed = True


class Grants:
    def __init__(self, *grants: ReadGrantRecord) -> None:
        self.grants = list(grants)
        self.unavailable = False

    def read_grants(self):
        if self.unavailable:
            raise GrantsUnavailable("catalog down")
        return list(self.grants)


PROVISIONED = {*topic_write_acls("roster", [FIGHTERS]), *topic_write_acls("schedule", [BOUTS, "schedule.dlq"]),
               *topic_read_acls("schedule", "schedule.dlq"), *group_acls("schedule", "schedule")}


def test_an_approved_grant_becomes_read_acls_on_the_topic_and_the_principals_own_group():
    admin = FakeAdmin(PROVISIONED)
    changes = []
    reconciler = AclReconciler(plane(), Grants(ReadGrantRecord("analytics", FIGHTERS, 7, "roster")), lambda: admin,
                               on_change=changes.append)

    report = reconciler.sync()

    assert set(topic_read_acls("analytics", FIGHTERS)) | set(group_acls("analytics", "analytics")) <= admin.acls
    assert {c.action for c in report.changes} == {"grant"} and len(changes) == len(report.changes) == 6
    assert "catalog grant #7 read of roster.fighters.v1 approved by roster" in changes[0].line()
    assert reconciler.sync().changes == []  # idempotent: the second round finds nothing to do


def test_a_revoked_grant_removes_exactly_its_acls_and_leaves_provisionings_alone():
    grants = Grants(ReadGrantRecord("analytics", FIGHTERS, 7), ReadGrantRecord("schedule", FIGHTERS, 8))
    admin = FakeAdmin(PROVISIONED)
    reconciler = AclReconciler(plane(), grants, lambda: admin)
    reconciler.sync()

    grants.grants = [ReadGrantRecord("schedule", FIGHTERS, 8)]
    report = reconciler.sync()

    assert {c.acl for c in report.revoked} == set(topic_read_acls("analytics", FIGHTERS)) | set(
        group_acls("analytics", "analytics"))
    assert report.granted == []
    assert admin.acls == PROVISIONED | set(topic_read_acls("schedule", FIGHTERS))


@pytest.mark.parametrize("by_hand", [
    allow("intruder", ACLOperation.READ, FIGHTERS),
    allow("intruder", ACLOperation.READ, "roster.", ACLResourcePatternType.PREFIXED),
    allow("intruder", ACLOperation.READ, "*"),
    allow("schedule", ACLOperation.WRITE, FIGHTERS),
    allow("*", ACLOperation.ALL, FIGHTERS),
])
def test_an_acl_added_by_hand_that_opens_a_product_topic_without_a_grant_is_removed(by_hand):
    admin = FakeAdmin(PROVISIONED | {by_hand})

    report = AclReconciler(plane(), Grants(), lambda: admin).sync()

    assert [c.acl for c in report.revoked] == [by_hand]
    assert admin.acls == PROVISIONED


def test_a_group_acl_without_a_grant_is_removed_but_groups_of_other_names_are_left_alone():
    own_group = set(group_acls("intruder", "intruder"))
    other_group = set(group_acls("stats", "stats-notifications"))
    admin = FakeAdmin(PROVISIONED | own_group | other_group)

    report = AclReconciler(plane(), Grants(), lambda: admin).sync()

    assert {c.acl for c in report.revoked} == own_group
    assert admin.acls == PROVISIONED | other_group


def test_a_dry_run_reports_without_changing_anything():
    admin = FakeAdmin(PROVISIONED | {allow("intruder", ACLOperation.READ, FIGHTERS)})

    report = AclReconciler(plane(), Grants(ReadGrantRecord("analytics", BOUTS)), lambda: admin).sync(dry_run=True)

    assert len(report.granted) == 6 and len(report.revoked) == 1
    assert admin.acls == PROVISIONED | {allow("intruder", ACLOperation.READ, FIGHTERS)}


def test_grants_of_the_owner_or_of_a_product_without_a_topic_change_nothing():
    admin = FakeAdmin(PROVISIONED)
    grants = Grants(ReadGrantRecord("roster", FIGHTERS), ReadGrantRecord("analytics", "roster.fighters.v9"))

    assert AclReconciler(plane(), grants, lambda: admin).sync().changes == []


def test_when_the_grants_cannot_be_read_no_acl_is_touched():
    grants = Grants(ReadGrantRecord("analytics", FIGHTERS))
    admin = FakeAdmin(PROVISIONED)
    reconciler = AclReconciler(plane(), grants, lambda: admin)
    reconciler.sync()
    before = set(admin.acls)

    grants.unavailable = True
    with pytest.raises(GrantsUnavailable):
        reconciler.sync()

    assert admin.acls == before


def test_plan_grants_before_it_revokes():
    actual = PROVISIONED | {allow("intruder", ACLOperation.READ, FIGHTERS)}
    changes = plan(plane(), [ReadGrantRecord("analytics", FIGHTERS)], actual)
    actions = [c.action for c in changes]
    assert actions == sorted(actions)  # "grant" < "revoke"


@pytest.mark.parametrize("scope, topic", [
    ("read:roster.fighters.v1", "roster.fighters.v1"),
    ("read:stats.fighter-records.v12", "stats.fighter-records.v12"),
    ("pii:roster.fighters", None),
    ("write:roster", None),
    ("read:roster.fighters.v0", None),
])
def test_only_read_scopes_name_a_topic(scope, topic):
    assert topic_of_read_scope(scope) == topic


def catalog_answering(pages: dict[str, httpx.Response]) -> CatalogGrants:
    def handler(request: httpx.Request) -> httpx.Response:
        return pages[str(request.url.params.get("cursor"))]

    return CatalogGrants("http://catalog", None, transport=httpx.MockTransport(handler))


def test_every_page_of_the_catalogs_grants_is_read_and_only_active_read_grants_count():
    grant = {"client_id": "analytics", "granted_by": "roster", "revoked_at": None}
    pages = {
        "None": httpx.Response(200, json=[{**grant, "id": 9, "scope": "read:roster.fighters.v1"},
                                          {**grant, "id": 8, "scope": "pii:roster.fighters"}],
                               headers={"Link": '</api/v1/grants?limit=2&cursor=8>; rel="next"'}),
        "8": httpx.Response(200, json=[{**grant, "id": 3, "scope": "read:schedule.bouts.v1"},
                                       {**grant, "id": 2, "scope": "read:stats.rankings.v1",
                                        "revoked_at": "2026-01-01T00:00:00Z"}]),
    }

    grants = catalog_answering(pages).read_grants()

    assert grants == [ReadGrantRecord("analytics", FIGHTERS, 9, "roster"),
                      ReadGrantRecord("analytics", BOUTS, 3, "roster")]


def test_a_page_that_fails_makes_the_whole_answer_unavailable():
    pages = {"None": httpx.Response(200, json=[], headers={"Link": '</api/v1/grants?cursor=5>; rel="next"'}),
             "5": httpx.Response(403, json={"title": "Forbidden"})}

    with pytest.raises(GrantsUnavailable, match="403"):
        catalog_answering(pages).read_grants()
