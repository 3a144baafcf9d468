from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from schedule.domain.exceptions import BookingClash, BookingRefused, CardClosed, UnknownFighter
from schedule.domain.model import BoutRequest, BoutStatus, CardDetails, CardStatus, FighterSnapshot
from schedule.service import handlers

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class FakeRepository:
    def __init__(self, key: str) -> None:
        self.items: dict = {}
        self.key = key

    def get(self, item_id):
        return self.items.get(item_id)

    def add(self, item):
        self.items[getattr(item, self.key)] = item

    def save(self, item):
        self.items[getattr(item, self.key)] = item

    def on_card(self, card_id):
        return sorted((b for b in self.items.values() if b.card_id == card_id), key=lambda b: b.order_on_card)


class FakeReplica:
    def __init__(self) -> None:
        self.fighters: dict = {}

    def get(self, fighter_id):
        return self.fighters.get(fighter_id, (None,))[0]

    def upsert(self, fighter, version):
        current = self.fighters.get(fighter.fighter_id)
        if current is None or current[1] <= version:
            self.fighters[fighter.fighter_id] = (fighter, version)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.cards = FakeRepository("card_id")
        self.bouts = FakeRepository("bout_id")
        self.fighters = FakeReplica()
        self.events: list = []

    def record(self, event):
        self.events.append(event)


class FakeDirectory:
    def __init__(self, known=()) -> None:
        self.known = {fighter.fighter_id: fighter for fighter in known}

    def find(self, fighter_id):
        fighter = self.known.get(fighter_id)
        return (fighter, datetime(2026, 1, 1, tzinfo=UTC)) if fighter else None


NOBODY = FakeDirectory()


@pytest.fixture
def uow():
    uow = FakeUnitOfWork()
    for fighter_id, weight_class, status in [
        ("a", "lightweight", "active"), ("b", "lightweight", "active"), ("c", "lightweight", "active"),
        ("d", "lightweight", "active"), ("h", "heavyweight", "active"), ("r", "lightweight", "retired"),
    ]:
        uow.fighters.upsert(FighterSnapshot(fighter_id, f"Fighter {fighter_id}", weight_class, status), datetime(2025, 1, 1, tzinfo=UTC))
    return uow


@pytest.fixture
def card(uow):
    details = CardDetails(name="Octagon 1", date=date(2027, 1, 1), venue="Arena", city="Las Vegas", country="US")
    return handlers.announce_card(details, uow, NOW)


def request(red="a", blue="b", **changes):
    values = dict(red_fighter_id=red, blue_fighter_id=blue, weight_class="lightweight", title_bout=False,
                  main_event=False, order_on_card=1)
    values.update(changes)
    return BoutRequest(**values)


def test_bout_between_two_active_fighters_of_its_class_is_scheduled_for_three_rounds(uow, card):
    bout = handlers.schedule_bout(card.card_id, request(), uow, NOBODY, NOW)
    assert bout.status is BoutStatus.SCHEDULED
    assert bout.scheduled_rounds == 3
    assert bout.card_date == card.date


@pytest.mark.parametrize("changes", [{"title_bout": True}, {"main_event": True}])
def test_title_bouts_and_main_events_are_five_rounds(uow, card, changes):
    assert handlers.schedule_bout(card.card_id, request(**changes), uow, NOBODY, NOW).scheduled_rounds == 5


def test_bout_rejected_when_fighters_in_different_weight_classes(uow, card):
    with pytest.raises(BookingRefused, match="heavyweight") as refused:
        handlers.schedule_bout(card.card_id, request(blue="h"), uow, NOBODY, NOW)
    assert refused.value.field == "blue_fighter_id"


def test_retired_fighter_cannot_be_booked(uow, card):
    with pytest.raises(BookingRefused, match="retired"):
        handlers.schedule_bout(card.card_id, request(red="r"), uow, NOBODY, NOW)


def test_a_fighter_cannot_fight_themself(uow, card):
    with pytest.raises(BookingRefused, match="same"):
        handlers.schedule_bout(card.card_id, request(red="a", blue="a"), uow, NOBODY, NOW)


def test_fighter_cannot_be_double_booked_on_a_card(uow, card):
    handlers.schedule_bout(card.card_id, request(), uow, NOBODY, NOW)
    with pytest.raises(BookingClash, match="already booked"):
        handlers.schedule_bout(card.card_id, request(red="c", blue="a", order_on_card=2), uow, NOBODY, NOW)


def test_order_on_card_is_unique(uow, card):
    handlers.schedule_bout(card.card_id, request(), uow, NOBODY, NOW)
    with pytest.raises(BookingClash, match="order 1"):
        handlers.schedule_bout(card.card_id, request(red="c", blue="d"), uow, NOBODY, NOW)


def test_main_event_closes_the_card(uow, card):
    handlers.schedule_bout(card.card_id, request(order_on_card=5, main_event=True), uow, NOBODY, NOW)
    with pytest.raises(BookingRefused, match="follow the main event"):
        handlers.schedule_bout(card.card_id, request(red="c", blue="d", order_on_card=6), uow, NOBODY, NOW)
    with pytest.raises(BookingClash, match="already has a main event"):
        handlers.schedule_bout(card.card_id, request(red="c", blue="d", order_on_card=4, main_event=True), uow, NOBODY, NOW)


def test_unknown_fighter_is_refused_when_roster_does_not_know_them_either(uow, card):
    with pytest.raises(UnknownFighter) as refused:
        handlers.schedule_bout(card.card_id, request(blue="ghost"), uow, NOBODY, NOW)
    assert refused.value.field == "blue_fighter_id"


def test_fighter_not_yet_replicated_is_found_through_roster(uow, card):
    newcomer = FighterSnapshot("n", "Newcomer", "lightweight", "active")
    bout = handlers.schedule_bout(card.card_id, request(blue="n"), uow, FakeDirectory([newcomer]), NOW)
    assert bout.blue_fighter_id == "n"
    assert uow.fighters.get("n") == newcomer


def test_cancelled_card_takes_no_bookings_and_cancels_its_bouts(uow, card):
    bout = handlers.schedule_bout(card.card_id, request(), uow, NOBODY, NOW)
    cancelled = handlers.cancel_card(card.card_id, uow)
    assert cancelled.status is CardStatus.CANCELLED
    assert uow.bouts.get(bout.bout_id).status is BoutStatus.CANCELLED
    with pytest.raises(CardClosed):
        handlers.schedule_bout(card.card_id, request(red="c", blue="d", order_on_card=2), uow, NOBODY, NOW)


def test_replica_never_goes_back_to_an_older_state(uow):
    uow.fighters.upsert(FighterSnapshot("a", "A", "lightweight", "retired"), datetime(2025, 3, 1, tzinfo=UTC))
    handlers.fighter_published(FighterSnapshot("a", "A", "lightweight", "active"), datetime(2025, 2, 1, tzinfo=UTC), uow)
    assert uow.fighters.get("a").status == "retired"


def test_recorded_result_completes_the_bout(uow, card):
    bout = handlers.schedule_bout(card.card_id, request(), uow, NOBODY, NOW)
    handlers.result_recorded(bout.bout_id, uow)
    assert uow.bouts.get(bout.bout_id).status is BoutStatus.COMPLETED
    assert type(uow.events[-1]).__name__ == "BoutCompleted"


def test_card_country_must_be_alpha2(uow):
    with pytest.raises(BookingRefused, match="alpha-2"):
        handlers.announce_card(CardDetails(name="X", date=date(2027, 1, 1), venue="A", city="B", country="us"), uow, NOW)
    with pytest.raises(ValidationError, match="country"):
        CardDetails(name="X", date=date(2027, 1, 1), venue="A", city="B", country="USA")


def test_timestamps_come_from_the_injected_clock(uow, card):
    assert card.announced_at == NOW
    assert handlers.schedule_bout(card.card_id, request(), uow, NOBODY, NOW).scheduled_at == NOW
