"""A subscription declared by event class is checked against the producers' contracts and the declared grants."""

from __future__ import annotations

import sys
import types
from datetime import UTC, date, datetime

import pytest

from mesh_platform.contracts import ContractRegistry, default_contracts_dir
from mesh_platform.events.envelope import EventMessage
from mesh_platform.kafka.event_plane import read_subscriptions
from mesh_platform.subscriptions import ConsumedEvent, SubscriptionRefused, SubscriptionSpec
from mesh_platform.subscriptions.spec import declared_subscriptions
from mesh_tools.codegen import render_consumed_events

CONTRACTS = default_contracts_dir()


@pytest.fixture(scope="module")
def registry() -> ContractRegistry:
    return ContractRegistry.from_directory(CONTRACTS)


@pytest.fixture(scope="module")
def stats_events(registry) -> types.ModuleType:
    """Stats' consumed events as the code generator writes them from roster's and results' contracts."""
    module = types.ModuleType("stats_consumed_events")
    source = render_consumed_events("stats", registry, declared_subscriptions("stats", CONTRACTS))
    sys.modules[module.__name__] = module  # as an import would: pydantic resolves subclasses' types through it
    exec(compile(source, "<generated>", "exec"), module.__dict__)  # our own generated source
    yield module
    del sys.modules[module.__name__]


@pytest.fixture(scope="module")
def stats_grants():
    return read_subscriptions(CONTRACTS / "stats" / "subscriptions.yaml")


def ignore(_uow, _message) -> None:
    """A handler that stages nothing."""


def stats_spec(events, **overrides) -> SubscriptionSpec:
    handlers = {
        events.FighterRegisteredV1: ignore, events.FighterUpdatedV1: ignore, events.FighterRetiredV1: ignore,
        events.ResultRecordedV1: ignore,
    }
    return SubscriptionSpec(**{"handlers": handlers, **overrides})


def test_a_declaration_matching_the_contracts_and_the_grants_has_no_problems(registry, stats_events, stats_grants):
    spec = stats_spec(stats_events)
    assert spec.problems("stats", registry, stats_grants) == []
    assert spec.topics == ["results.bout-results.v1", "roster.fighters.v1"]


def test_an_event_type_the_producer_does_not_publish_refuses_to_start(registry, stats_events, stats_grants):
    class FighterRenamedV1(stats_events.FighterUpdatedV1):
        EVENT_TYPE = "octagon.roster.fighter.renamed.v1"

    spec = stats_spec(stats_events)
    spec.handlers[FighterRenamedV1] = ignore  # type: ignore[index]
    with pytest.raises(SubscriptionRefused) as refused:
        spec.check("stats", registry, stats_grants)
    assert "roster.fighters v1 publishes no event type octagon.roster.fighter.renamed.v1" in str(refused.value)


def test_an_unknown_topic_or_product_major_refuses_to_start(registry, stats_events, stats_grants):
    class OnTheWrongTopic(stats_events.ResultRecordedV1):
        TOPIC = "results.bout-result.v1"

    class OfAFutureMajor(stats_events.FighterRetiredV1):
        MAJOR = 2

    handlers = {OnTheWrongTopic: ignore, OfAFutureMajor: ignore}
    problems = " | ".join(SubscriptionSpec(handlers=handlers).problems("stats", registry, stats_grants))
    assert "topic results.bout-result.v1 is not results.bout-results v1's topic results.bout-results.v1" in problems
    assert "OfAFutureMajor: no contract for product roster.fighters v2" in problems


def test_an_event_type_neither_handled_nor_ignored_refuses_to_start_until_declared_ignored(
    registry, stats_events, stats_grants
):
    spec = stats_spec(stats_events)
    del spec.handlers[stats_events.FighterRetiredV1]  # type: ignore[attr-defined]
    assert spec.problems("stats", registry, stats_grants) == [
        "roster.fighters v1 publishes octagon.roster.fighter.retired.v1 on roster.fighters.v1, which stats neither "
        "handles nor ignores (declare it in `ignored` with the reason, or handle it)"
    ]
    ignoring = SubscriptionSpec(handlers=spec.handlers, ignored={stats_events.FighterRetiredV1: "status is in updates"})
    assert ignoring.problems("stats", registry, stats_grants) == []


def test_a_product_consumed_without_its_grant_being_declared_refuses_to_start(registry, stats_events, stats_grants):
    only_fighters = [grant for grant in stats_grants if grant.product == "fighters"]
    problems = stats_spec(stats_events).problems("stats", registry, only_fighters)
    assert problems == [
        "stats consumes results.bout-results v1 but contracts/stats/subscriptions.yaml does not declare it "
        "(no read grant would cover it)"
    ]


def test_a_declared_product_nobody_handles_refuses_to_start(registry, stats_events, stats_grants):
    fighters_only = SubscriptionSpec(handlers={stats_events.FighterRegisteredV1: ignore}, ignored={
        stats_events.FighterUpdatedV1: "x", stats_events.FighterRetiredV1: "y"})
    problems = fighters_only.problems("stats", registry, stats_grants)
    assert problems == [
        "contracts/stats/subscriptions.yaml declares results.bout-results v1 but no handler or ignored event class "
        "of it is declared"
    ]


def test_a_field_the_contract_no_longer_offers_refuses_to_start(registry, stats_events, stats_grants):
    class FromAnOlderContract(stats_events.ResultRecordedV1):
        CONTRACT_FIELDS = {**stats_events.ResultRecordedV1.CONTRACT_FIELDS, "referee": ("string", True),
                           "round": ("string", True)}

    spec = stats_spec(stats_events)
    del spec.handlers[stats_events.ResultRecordedV1]  # type: ignore[attr-defined]
    spec.handlers[FromAnOlderContract] = ignore  # type: ignore[index]
    problems = spec.problems("stats", registry, stats_grants)
    assert any("FromAnOlderContract.referee: results.bout-results" in p and "no longer has this field" in p
               for p in problems)
    assert any("FromAnOlderContract.round: typed string but results.bout-results" in p for p in problems)


def test_a_class_both_handled_and_ignored_or_not_generated_is_refused(registry, stats_events, stats_grants):
    spec = stats_spec(stats_events, ignored={stats_events.FighterRetiredV1: "both", str: "not generated"})
    problems = " | ".join(spec.problems("stats", registry, stats_grants))
    assert "FighterRetiredV1 is both handled and ignored" in problems
    assert "<class 'str'> is not a consumed event class" in problems


class FakeUnitOfWork:
    """Records what it was joined to and what handlers staged in it."""

    created: list[FakeUnitOfWork] = []

    def __init__(self) -> None:
        self.session = None
        self.staged: list[object] = []
        FakeUnitOfWork.created.append(self)

    def join(self, session) -> FakeUnitOfWork:
        self.session = session
        return self


class FakeSession:
    def __init__(self) -> None:
        self.info: dict[str, object] = {}


def message(event_type: str, topic: str, data: dict) -> EventMessage:
    return EventMessage(id=f"id-{len(data)}", type=event_type, source="/domains/x", topic=topic, key="k",
                        time=datetime(2024, 7, 13, tzinfo=UTC), data=data)


RESULT = {
    "bout_id": "b1", "card_id": "c1", "bout_date": "2024-07-13", "weight_class": "lightweight",
    "red_fighter_id": "r", "blue_fighter_id": "u", "outcome": "win", "winner_fighter_id": "r", "method": "KO/TKO",
    "round": 2, "time": "3:12", "judges_scores": None, "recorded_at": "2024-07-13T23:10:05Z", "added_later": 1,
}


def test_handlers_get_one_unit_of_work_per_batch_and_a_typed_message_and_the_after_step_runs_on_it(stats_events):
    received: list[tuple[FakeUnitOfWork, object]] = []
    after: list[FakeUnitOfWork] = []
    spec = SubscriptionSpec(
        handlers={stats_events.ResultRecordedV1: lambda uow, result: received.append((uow, result))},
        after_handlers=after.append,
    )
    FakeUnitOfWork.created = []
    dispatch = spec.dispatch(FakeUnitOfWork)
    handle = dispatch.handlers["octagon.results.result.recorded.v1"]
    first, second = FakeSession(), FakeSession()
    event = message("octagon.results.result.recorded.v1", "results.bout-results.v1", RESULT)
    handle(first, event)
    handle(first, event)
    dispatch.after_handlers(first)
    handle(second, event)

    assert len(FakeUnitOfWork.created) == 2  # one per batch transaction, shared inside it
    assert [uow for uow, _ in received] == [FakeUnitOfWork.created[0]] * 2 + [FakeUnitOfWork.created[1]]
    assert after == [FakeUnitOfWork.created[0]] and after[0].session is first
    result = received[0][1]
    assert isinstance(result, stats_events.ResultRecordedV1) and isinstance(result, ConsumedEvent)
    assert (result.bout_date, result.recorded_at, result.round) == (
        date(2024, 7, 13), datetime(2024, 7, 13, 23, 10, 5, tzinfo=UTC), 2)
    assert result.envelope is event
    assert not hasattr(result, "added_later")  # a field a later minor adds is ignored, not an error


def test_dispatch_names_ignored_types_and_handled_types_by_their_ce_type(stats_events):
    spec = stats_spec(stats_events, ignored={})
    del spec.handlers[stats_events.FighterRetiredV1]  # type: ignore[attr-defined]
    dispatch = SubscriptionSpec(handlers=spec.handlers, ignored={stats_events.FighterRetiredV1: "why"}).dispatch(
        FakeUnitOfWork)
    assert dispatch.ignored == {"octagon.roster.fighter.retired.v1"}
    assert set(dispatch.handlers) == {"octagon.roster.fighter.registered.v1", "octagon.roster.fighter.updated.v1",
                                      "octagon.results.result.recorded.v1"}
    assert dispatch.after_handlers is None


def test_a_domain_without_a_subscriptions_file_is_refused(tmp_path):
    with pytest.raises(SubscriptionRefused, match="subscriptions.yaml does not exist"):
        declared_subscriptions("nobody", tmp_path)
