"""Fixtures: the full demo data set, and a hand-written fake of the command APIs of roster, schedule and results.

The fake is served through httpx.MockTransport. It keeps just enough state to enforce what the loader must get
right — ids it hands out, idempotency keys (same key and body: the first answer replayed; other body: 409), booking
rules that depend on the order of commands (fighters and card exist, retired fighters cannot be booked, nothing after
the main event), results only for booked bouts of past cards, one result per bout — and records every command.

Every command can also come in an NDJSON batch (``POST /fighters/batch``, ``POST /cards/bouts/batch`` with
``card_id`` on the line ...), answered line by line, in order, with ``{"line", "idempotency_key", "status", "body"}``:
exactly what the single route would have answered, as the services' batch routes do.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from octagon_demo.dataset import DemoDataSet
from octagon_demo.generator import generate_demo_data

TODAY = date(2026, 11, 24)

URLS = {
    "roster": "http://roster.test",
    "schedule": "http://schedule.test",
    "results": "http://results.test",
}


def problem(status: int, detail: str, field_name: str | None = None) -> httpx.Response:
    errors = [{"field": field_name, "reason": detail}] if field_name else []
    return httpx.Response(status, json={"title": "refused", "status": status, "detail": detail, "errors": errors},
                          headers={"content-type": "application/problem+json"})


@dataclass
class FakeMesh:
    today: date
    fighters: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    bouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, tuple[str, httpx.Response]] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(method, single route's url, idempotency key) of every command, in arrival order (a batch's in its order)."""
    batches: list[tuple[str, int]] = field(default_factory=list)
    """(url, lines) of every batch request."""
    fault: Callable[[httpx.Request], httpx.Response | None] | None = None
    """Answers (or raises for) an HTTP request — a batch as a whole — before the fake handles it: outages."""
    refusal: Callable[[httpx.Request], httpx.Response | None] | None = None
    """Answers one command (single request, or one line of a batch as its single request) instead of the fake."""
    lags: dict[str, list[int]] = field(default_factory=dict)
    """Per service, the lags its next ``/ready`` answers report on its subscription (then 0): replicas catching up."""
    readiness: list[tuple[str, int, int]] = field(default_factory=list)
    """(service, lag reported, commands received before) of every ``/ready`` answered."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def urls(self) -> dict[str, str]:
        return dict(URLS)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:  # the loader sends from several threads
            if request.url.path == "/ready":
                return self._ready(request.url.host.removesuffix(".test"))
            if request.url.path.endswith("/batch"):
                return self._batch(request)
            return self._handle(request)

    def _ready(self, service: str) -> httpx.Response:
        """Readiness with the event pipeline: nothing pending in the outbox, the subscription's lag per partition."""
        waiting = self.lags.get(service) or [0]
        lag = waiting.pop(0)
        self.readiness.append((service, lag, len(self.requests)))
        upstream = {"schedule": "roster", "results": "schedule"}.get(service, "stats")
        return httpx.Response(200, json={"status": "ready", "pipeline": {
            "outbox": {"pending": 0},
            "subscriptions": {service: {"lag": lag, "lag_by_partition": {f"{upstream}.product.v1/0": lag}}},
        }})

    def _batch(self, request: httpx.Request) -> httpx.Response:
        """Each line as the single command it stands for; their answers as NDJSON."""
        self.batches.append((str(request.url), request.content.count(b"\n")))
        if self.fault is not None:
            faulty = self.fault(request)
            if faulty is not None:
                return faulty
        if request.headers.get("content-type") != "application/x-ndjson":
            return problem(415, "not NDJSON", "content-type")
        answers = []
        for number, raw in enumerate(request.content.splitlines(), start=1):
            line = json.loads(raw)
            params = {name: line.pop(name) for name in ("fighter_id", "card_id", "bout_id") if name in line}
            key, body = line.pop("idempotency_key", None), line.pop("command", None)
            single = httpx.Request(
                "POST", request.url.copy_with(path=_single_path(request.url.path, params)),
                headers={"Authorization": request.headers.get("Authorization", ""),
                         **({"Idempotency-Key": key} if key else {})},
                json=body,
            )
            answer = self._handle(single, faulty=False)  # the fault, if any, was the whole request's
            answers.append({"line": number, "idempotency_key": key, "status": answer.status_code,
                            "body": json.loads(answer.content) if answer.content else None})
        return httpx.Response(200, content="".join(json.dumps(a) + "\n" for a in answers),
                              headers={"content-type": "application/x-ndjson"})

    def _handle(self, request: httpx.Request, faulty: bool = True) -> httpx.Response:
        key = request.headers.get("Idempotency-Key")
        self.requests.append((request.method, str(request.url), key))
        if faulty and self.fault is not None:
            faulty = self.fault(request)
            if faulty is not None:
                return faulty
        if request.headers.get("Authorization") != "Bearer test-token":
            return problem(401, "no token")
        refused = self.refusal(request) if self.refusal is not None else None
        if refused is not None:
            return refused
        signature = f"{request.url.path}|{request.content.decode()}"
        if key in self.keys:
            stored_signature, stored = self.keys[key]
            if stored_signature != signature:
                return problem(409, f"Idempotency-Key {key!r} was used for another request", "Idempotency-Key")
            return httpx.Response(stored.status_code, content=stored.content,
                                  headers={"Idempotent-Replayed": "true", "content-type": "application/json"})
        response = self.route(request)
        if key and response.status_code < 400:
            self.keys[key] = (signature, response)
        return response

    def route(self, request: httpx.Request) -> httpx.Response:
        host, parts = request.url.host, request.url.path.strip("/").split("/")
        body = json.loads(request.content) if request.content else None
        if host == "roster.test" and parts == ["fighters"]:
            return self._register(body)
        if host == "roster.test" and len(parts) == 3 and parts[2] == "retirement":
            return self._retire(parts[1])
        if host == "schedule.test" and parts == ["cards"]:
            return self._created(self.cards, "card", {**body, "status": "announced"})
        if host == "schedule.test" and len(parts) == 3 and parts[2] == "bouts":
            return self._book(parts[1], body)
        if host == "results.test" and len(parts) == 3 and parts[2] == "result":
            return self._record(parts[1], body)
        return problem(404, f"no route {request.url}")

    def _created(self, store: dict[str, dict[str, Any]], kind: str, record: dict[str, Any]) -> httpx.Response:
        record_id = f"{kind}-{len(store) + 1:05d}"
        store[record_id] = {f"{kind}_id": record_id, **record}
        return httpx.Response(201, json=store[record_id], headers={"Idempotent-Replayed": "false"})

    def _register(self, body: dict[str, Any]) -> httpx.Response:
        missing = {"name", "nickname", "date_of_birth", "nationality", "weight_class", "stance", "height_cm",
                   "reach_cm"} - body.keys()
        if missing:
            return problem(422, "missing fields", sorted(missing)[0])
        return self._created(self.fighters, "fighter", {**body, "status": "active"})

    def _retire(self, fighter_id: str) -> httpx.Response:
        fighter = self.fighters.get(fighter_id)
        if fighter is None:
            return problem(404, "no such fighter", "fighter_id")
        if fighter["status"] == "retired":
            return problem(409, "already retired", "fighter_id")
        fighter["status"] = "retired"
        return httpx.Response(200, json=fighter)

    def _book(self, card_id: str, body: dict[str, Any]) -> httpx.Response:
        if card_id not in self.cards:
            return problem(404, "no such card", "card_id")
        on_card = [b for b in self.bouts.values() if b["card_id"] == card_id]
        for corner in ("red_fighter_id", "blue_fighter_id"):
            fighter = self.fighters.get(body[corner])
            if fighter is None or fighter["status"] != "active" or fighter["weight_class"] != body["weight_class"]:
                return problem(422, "fighter unknown, not active or of another weight class", corner)
            if any(body[corner] in (b["red_fighter_id"], b["blue_fighter_id"]) for b in on_card):
                return problem(409, "already on this card", corner)
        if any(b["main_event"] or b["order_on_card"] >= body["order_on_card"] for b in on_card):
            return problem(422, "bouts are booked in order and nothing follows the main event", "order_on_card")
        rounds = 5 if body["title_bout"] or body["main_event"] else 3
        card = self.cards[card_id]
        return self._created(self.bouts, "bout", {**body, "card_id": card_id, "card_date": card["date"],
                                                  "scheduled_rounds": rounds, "status": "scheduled"})

    def _record(self, bout_id: str, body: dict[str, Any]) -> httpx.Response:
        bout = self.bouts.get(bout_id)
        if bout is None:
            return problem(404, "no such bout", "bout_id")
        if bout_id in self.results:
            return problem(409, "result already recorded", "bout_id")
        if not date.fromisoformat(bout["card_date"]) < self.today:
            return problem(422, "the card has not happened yet", "bout_id")
        if body["outcome"] == "win" and body["winner_fighter_id"] not in (bout["red_fighter_id"],
                                                                           bout["blue_fighter_id"]):
            return problem(422, "the winner is not in the bout", "winner_fighter_id")
        self.results[bout_id] = {"bout_id": bout_id, **body}
        return httpx.Response(201, json=self.results[bout_id])


_BATCH_ROUTES = {
    "/fighters/batch": "/fighters",
    "/fighters/retirement/batch": "/fighters/{fighter_id}/retirement",
    "/cards/batch": "/cards",
    "/cards/bouts/batch": "/cards/{card_id}/bouts",
    "/bouts/result/batch": "/bouts/{bout_id}/result",
}


def _single_path(batch_path: str, params: dict[str, str]) -> str:
    return _BATCH_ROUTES[batch_path].format(**params)


@pytest.fixture(scope="session")
def full() -> DemoDataSet:
    """The full-size demo data set as of a fixed day."""
    return generate_demo_data(7, scale=1.0, today=TODAY)


@pytest.fixture
def mesh() -> FakeMesh:
    return FakeMesh(today=TODAY)
