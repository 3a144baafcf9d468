"""The batch route of a command: NDJSON in, one answer per line out, each line the single command's behaviour.

A small command ("add a thing") on a store of the platform's tables, served one at a time and in batches, on SQLite
and PostgreSQL: a bad line fails alone, good lines commit with their events, keys replay, the whole request is
refused (413, 415, 401, 403) only for what concerns it as a whole.
"""

import json

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from mesh_platform.auth.tokens import AccessToken
from mesh_platform.errors import RuleViolated
from mesh_platform.events import EventFactory
from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.command_batch import add_batch_route
from mesh_platform.http.commands import Command, CommandExecutor, IdempotencyKey
from mesh_platform.http.problems import install_problem_handlers
from mesh_platform.outbox import OutboxWriter
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.platform_tables import define_platform_tables
from mesh_platform.store.unit_of_work import SqlUnitOfWork
from mesh_tools.testing.authority import test_authority

pytestmark = pytest.mark.integration

WRITER = test_authority().bearer("desk", ["write:things"])
NDJSON = {"Content-Type": "application/x-ndjson"}


class ThingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    size: int = Field(ge=1)


class ThingsApp:
    """A service with one command, ``POST /shelves/{shelf}/things`` (batch: ``POST /shelves/things/batch``)."""

    def __init__(self, url: str, max_lines: int = 10) -> None:
        metadata = MetaData()
        self.tables = define_platform_tables(metadata)
        self.things = Table("things", metadata, Column("id", Integer, primary_key=True),
                            Column("shelf", String(40)), Column("name", String(80), unique=True))
        self.engine = create_store_engine(url)
        metadata.create_all(self.engine)
        events = EventFactory("things", "http://127.0.0.1:8000")
        outbox = OutboxWriter(self.tables.outbox)
        authorizer = Authorizer(test_authority().verifier())
        self.executor = CommandExecutor(lambda: SqlUnitOfWork(self.engine, outbox, events), self.tables.idempotency_keys,
                                        writer=authorizer.require("write:things"), max_batch_lines=max_lines)

        def add(uow: SqlUnitOfWork, body: ThingCreate, at: dict[str, str]) -> dict:
            if body.name == "forbidden":
                raise RuleViolated("this name is not allowed", field="name")
            uow.session.execute(insert(self.things).values(shelf=at["shelf"], name=body.name))
            uow.publish(events.create(product="things", major=1, entity="thing", verb="added", key=body.name,
                                      data={"name": body.name, "shelf": at["shelf"]}))
            return {"name": body.name, "shelf": at["shelf"], "size": body.size}

        self.command = Command("add_thing", "/shelves/{shelf}/things", 201, ThingCreate, add, params=("shelf",))
        router = APIRouter()

        @router.post(self.command.path, status_code=201)
        def add_one(shelf: str, body: ThingCreate, idempotency_key: IdempotencyKey = None,
                    caller: AccessToken = Depends(self.executor.writer)):
            return self.executor.execute(self.command, body, {"shelf": shelf}, idempotency_key, caller)

        add_batch_route(router, self.executor, self.command, summary="Add many things")
        self.app = FastAPI()
        install_problem_handlers(self.app)
        self.app.include_router(router)

    def count(self, table: Table) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def things(store_url):
    things = ThingsApp(store_url)
    yield things
    things.engine.dispose()


@pytest.fixture
def client(things):
    with TestClient(things.app) as client:
        client.headers.update(WRITER)
        yield client


def ndjson(*lines):
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


def batch(client, *lines, **kwargs):
    return client.post("/shelves/things/batch", content=ndjson(*lines), **{"headers": NDJSON, **kwargs})


def answers(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_a_bad_line_fails_alone_and_only_good_lines_are_stored_with_their_events(client, things):
    lines = answers(batch(client,
                          {"shelf": "a", "command": {"name": "one", "size": 1}},
                          {"shelf": "a", "command": {"name": "forbidden", "size": 1}},
                          {"shelf": "a", "command": {"name": "two", "size": 0}},
                          "[1, 2",
                          {"command": {"name": "three", "size": 1}},
                          "",
                          {"shelf": "b", "command": {"name": "four", "size": 2}}))
    assert [(answer["line"], answer["status"]) for answer in lines] == [
        (1, 201), (2, 422), (3, 422), (4, 400), (5, 422), (7, 201)]
    assert lines[0]["body"] == {"name": "one", "shelf": "a", "size": 1}
    assert lines[1]["body"]["type"] == "urn:problem-type:octagon-mesh:rule-violated"
    assert lines[1]["body"]["instance"] == "/shelves/a/things"
    assert lines[2]["body"]["errors"][0]["field"] == "size"
    assert lines[4]["body"]["errors"][0]["field"] == "shelf"
    assert things.count(things.things) == 2
    assert things.count(things.tables.outbox) == 2


def test_each_line_answers_exactly_as_the_single_command(client):
    single = client.post("/shelves/a/things", json={"name": "forbidden", "size": 1})
    invalid = client.post("/shelves/a/things", json={"name": "x", "size": 0})
    lines = answers(batch(client, {"shelf": "a", "command": {"name": "forbidden", "size": 1}},
                          {"shelf": "a", "command": {"name": "x", "size": 0}}))
    assert (lines[0]["status"], lines[0]["body"]) == (single.status_code, single.json())
    assert (lines[1]["status"], lines[1]["body"]) == (invalid.status_code, invalid.json())


def test_a_repeated_key_replays_the_first_reply_in_the_same_batch_a_later_one_and_the_single_route(client, things):
    line = {"idempotency_key": "k-1", "shelf": "a", "command": {"name": "one", "size": 1}}
    first = answers(batch(client, line, line))
    later = answers(batch(client, line))
    single = client.post("/shelves/a/things", json=line["command"], headers={"Idempotency-Key": "k-1"})
    assert first[0]["body"] == first[1]["body"] == later[0]["body"] == single.json()
    assert single.headers["Idempotent-Replayed"] == "true"
    assert things.count(things.things) == 1 and things.count(things.tables.outbox) == 1


def test_a_key_of_another_caller_or_request_is_a_conflict_on_its_line(client):
    client.post("/shelves/a/things", json={"name": "one", "size": 1}, headers={"Idempotency-Key": "k-2"})
    mine = answers(batch(client, {"idempotency_key": "k-2", "shelf": "a", "command": {"name": "other", "size": 1}}))
    theirs = answers(batch(client, {"idempotency_key": "k-2", "shelf": "a", "command": {"name": "one", "size": 1}},
                           headers={**NDJSON, **test_authority().bearer("someone-else", ["write:things"])}))
    assert mine[0]["status"] == theirs[0]["status"] == 409
    assert theirs[0]["body"]["errors"][0]["field"] == "Idempotency-Key"


def test_more_lines_than_the_limit_are_refused_whole_with_413(client, things):
    response = batch(client, *[{"shelf": "a", "command": {"name": f"t{n}", "size": 1}} for n in range(11)])
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["max_lines"] == 10
    assert things.count(things.things) == 0


def test_another_content_type_is_refused_with_415(client):
    response = client.post("/shelves/things/batch", json={"shelf": "a", "command": {"name": "one", "size": 1}})
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


def test_a_batch_needs_the_same_token_and_scope_as_the_single_command(client, things):
    line = {"shelf": "a", "command": {"name": "one", "size": 1}}
    anonymous = client.post("/shelves/things/batch", content=ndjson(line),
                            headers={**NDJSON, "Authorization": ""})
    reader = batch(client, line, headers={**NDJSON, **test_authority().bearer("reader", ["read:things.things.v1"])})
    assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous.headers
    assert reader.status_code == 403
    assert things.count(things.things) == 0


def test_lines_beyond_one_transaction_chunk_all_commit(things, monkeypatch):
    monkeypatch.setattr("mesh_platform.http.command_batch.CHUNK_LINES", 3)
    with TestClient(things.app) as client:
        client.headers.update(WRITER)
        lines = answers(batch(client, *[{"shelf": "a", "command": {"name": f"t{n}", "size": 1}} for n in range(8)],
                              {"shelf": "a", "command": {"name": "t0", "size": 1}}))
    assert [answer["status"] for answer in lines] == [201] * 8 + [500]
    assert things.count(things.things) == 8 and things.count(things.tables.outbox) == 8


def test_events_and_remembered_replies_are_stored_in_line_order_whether_a_chunk_fails_or_not(things, monkeypatch):
    # Chunks of 3: the first chunk is all good (written at once), the second holds a refused line (run line by line).
    monkeypatch.setattr("mesh_platform.http.command_batch.CHUNK_LINES", 3)
    names = ["a1", "a2", "a3", "b1", "forbidden", "b2"]
    with TestClient(things.app) as client:
        client.headers.update(WRITER)
        lines = answers(batch(client, *[{"idempotency_key": f"k-{name}", "shelf": "s", "command": {"name": name, "size": 1}}
                                        for name in names]))
        again = answers(batch(client, {"idempotency_key": "k-b2", "shelf": "s", "command": {"name": "b2", "size": 1}}))
    assert [answer["status"] for answer in lines] == [201, 201, 201, 201, 422, 201]
    assert again[0] == {**lines[5], "line": 1}
    outbox = things.tables.outbox
    with things.engine.connect() as connection:
        stored = connection.execute(select(outbox.c.message_key, outbox.c.payload).order_by(outbox.c.id)).all()
        remembered = connection.execute(select(func.count()).select_from(things.tables.idempotency_keys)).scalar_one()
    assert [key for key, _ in stored] == ["a1", "a2", "a3", "b1", "b2"]
    assert stored[0].payload == {"name": "a1", "shelf": "s"}
    assert remembered == 5
