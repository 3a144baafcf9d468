"""The map of the mesh, built from registry facts, lineage consumer jobs, grants and markers (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from catalog.domain.mesh_map import ConsumerJob, MapGrant, Marker, build_mesh_map, consumer_job_name, parse_grant_scope
from catalog.domain.model import Consumer, DataProduct, Lifecycle, ProductVersion, Verdict
from catalog.ui.map_layout import OUTSIDE, layout_map

NOW = datetime(2026, 6, 1, tzinfo=UTC)
FIGHTERS_V1, FIGHTERS_V2 = "dataset:octagon.roster:fighters.v1", "dataset:octagon.roster:fighters.v2"
BOUTS = "dataset:octagon.schedule:bouts.v1"
SCHEDULE_GROUP = "job:octagon.consumers:kafka.schedule"


def product(domain: str, name: str, *majors: tuple[int, Lifecycle, date | None]) -> DataProduct:
    found = DataProduct(domain, name, name, {}, "team", [], NOW, NOW)
    for major, status, sunset in majors:
        found.versions[major] = ProductVersion(domain, name, major, f"{major}.0.0", status, sunset, {}, None, NOW, NOW,
                                               Verdict(()))
    return found


PRODUCTS = [product("roster", "fighters", (1, Lifecycle.DEPRECATED, date(2026, 5, 1)), (2, Lifecycle.ACTIVE, None)),
            product("schedule", "bouts", (1, Lifecycle.ACTIVE, None))]


def consumer(kind: str, name: str, domain: str, product_name: str, major: int) -> Consumer:
    return Consumer(kind, name, domain, product_name, major, NOW, NOW)  # type: ignore[arg-type]


def test_consumers_per_major_come_from_reports_and_from_lineage_jobs():
    mesh = build_mesh_map(
        PRODUCTS,
        [consumer("subscription", "schedule", "roster", "fighters", 1), consumer("http", "scout", "roster", "fighters", 2)],
        [ConsumerJob(SCHEDULE_GROUP, (FIGHTERS_V1,), (BOUTS,)),
         ConsumerJob("job:octagon.consumers:http.results", (BOUTS,), ()),
         ConsumerJob("job:octagon.stats:derive.records", (BOUTS,), ())],  # a derivation is no consumer
        [], {}, NOW.date())

    assert {(e.origin, e.destination, e.kind) for e in mesh.edges} == {
        (FIGHTERS_V1, SCHEDULE_GROUP, "reads"), (SCHEDULE_GROUP, BOUTS, "writes"),
        (FIGHTERS_V2, "job:octagon.consumers:http.scout", "reads"),
        (BOUTS, "job:octagon.consumers:http.results", "reads")}
    owners = {c.name: c.domain for c in mesh.consumers}
    # A consumer group belongs to the domain it is named after; an HTTP reader only when it is the client of a
    # domain with products (here no product of results is registered, so its reader stands outside).
    assert owners == {"schedule": "schedule", "results": None, "scout": None}
    assert mesh.domains == ["roster", "schedule"]


def test_deprecation_and_a_passed_sunset_are_marked_on_the_major():
    mesh = build_mesh_map(PRODUCTS, [], [], [], {}, NOW.date())
    v1, v2 = (p for p in mesh.products if p.product == "fighters")
    assert (v1.deprecated, v1.sunset_passed, v2.deprecated) == (True, True, False)


def test_grants_mark_majors_and_edges_and_a_holder_not_reading_gets_a_granted_edge():
    grants = [parse_grant_scope("scout", "read:roster.fighters.v2"), parse_grant_scope("analyst", "read:roster.fighters.v2"),
              parse_grant_scope("analyst", "pii:roster.fighters"), parse_grant_scope("x", "write:roster")]
    assert grants[-1] is None
    mesh = build_mesh_map(PRODUCTS, [consumer("http", "scout", "roster", "fighters", 2)], [],
                          [g for g in grants if g], {}, NOW.date())

    v1, v2 = (p for p in mesh.products if p.product == "fighters")
    assert (v2.grants, v2.pii_grants, v1.grants, v1.pii_grants) == (["analyst", "scout"], ["analyst"], [], ["analyst"])
    edges = {(e.origin, e.destination): (e.kind, e.granted) for e in mesh.edges}
    assert edges[(FIGHTERS_V2, "job:octagon.consumers:http.scout")] == ("reads", True)
    assert edges[(FIGHTERS_V2, "client:analyst")] == ("granted", True)


def test_markers_set_the_health_of_a_major():
    markers = {BOUTS: [Marker("quality", "warn", "rule x warned")], FIGHTERS_V2: [Marker("incident", "bad", "down")]}
    mesh = build_mesh_map(PRODUCTS, [], [], [], markers, NOW.date())
    assert {p.id: p.health for p in mesh.products} == {FIGHTERS_V1: "ok", FIGHTERS_V2: "bad", BOUTS: "warn"}


def test_names_of_consumer_jobs_and_grant_scopes():
    assert consumer_job_name("job:octagon.consumers:kafka.stats.rankings") == ("kafka", "stats.rankings")
    assert consumer_job_name("job:octagon.stats:derive.x") is None
    assert parse_grant_scope("c", "read:schedule.event-cards.v3") == MapGrant("c", "schedule", "event-cards", 3, False)
    assert parse_grant_scope("c", "read:nonsense") is None


def test_layout_puts_each_node_in_its_domain_lane_and_consumers_right_of_what_they_read():
    mesh = build_mesh_map(PRODUCTS, [consumer("http", "scout", "roster", "fighters", 2)],
                          [ConsumerJob(SCHEDULE_GROUP, (FIGHTERS_V1,), (BOUTS,))], [], {}, NOW.date())
    picture = layout_map(mesh)

    lanes = {lane.name: lane for lane in picture.lanes}
    assert list(lanes) == ["roster", "schedule", OUTSIDE]
    at = {node.id: node for node in picture.nodes}
    for node_id, lane in [(FIGHTERS_V1, "roster"), (SCHEDULE_GROUP, "schedule"), (BOUTS, "schedule"),
                          ("job:octagon.consumers:http.scout", OUTSIDE)]:
        assert lanes[lane].y <= at[node_id].y < lanes[lane].y + lanes[lane].height
    assert at[FIGHTERS_V1].x < at[SCHEDULE_GROUP].x < at[BOUTS].x
    assert len(picture.edges) == 3 and all(edge.path.startswith("M") for edge in picture.edges)


def test_open_incidents_become_markers_of_their_major_linking_to_the_incident():
    from dataclasses import dataclass

    from catalog.service.mesh_map import incident_markers

    @dataclass
    class Open:
        id: int | None
        domain: str
        product: str
        major: int
        rule: str
        severity: str
        title: str

    markers = incident_markers([Open(7, "roster", "fighters", 2, "fresh", "warning", "fighters v2 is stale"),
                                Open(8, "schedule", "bouts", 1, "one_result", "critical", "bouts without result")])
    assert markers == {FIGHTERS_V2: [Marker("incident", "warn", "incident: fighters v2 is stale", "/incidents/7")],
                       BOUTS: [Marker("incident", "bad", "incident: bouts without result", "/incidents/8")]}
