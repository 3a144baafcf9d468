import random
from datetime import UTC, date, datetime, timedelta

import pytest

from stats.domain.events import FighterRecordUpdated, RankingUpdated
from stats.domain.exceptions import UncountableResult
from stats.domain.model import CountedResult, FighterSnapshot
from stats.domain.rankings import ELO_START, RANKED_FIGHTERS
from stats.service import handlers
from stats.service.unit_of_work import StaleKeys

T0 = datetime(2024, 1, 1, tzinfo=UTC)


class FakeFighterReplica:
    def __init__(self) -> None:
        self.fighters: dict = {}

    def get(self, fighter_id):
        return self.fighters.get(fighter_id)

    def get_many(self, fighter_ids):
        return {fighter_id: self.fighters[fighter_id] for fighter_id in fighter_ids if fighter_id in self.fighters}

    def upsert(self, fighter):
        current = self.fighters.get(fighter.fighter_id)
        if current is None or current.updated_at <= fighter.updated_at:
            self.fighters[fighter.fighter_id] = fighter


class FakeResultReplica:
    def __init__(self) -> None:
        self.results: dict = {}

    def get(self, bout_id):
        return self.results.get(bout_id)

    def upsert(self, result):
        current = self.results.get(result.bout_id)
        if current is None or current.recorded_at <= result.recorded_at:
            self.results[result.bout_id] = result

    def of_fighter(self, fighter_id):
        return [result for result in self.results.values() if fighter_id in result.fighters]

    def in_weight_class(self, weight_class):
        return [result for result in self.results.values() if result.weight_class == weight_class]

    def weight_classes_of(self, fighter_id):
        return {result.weight_class for result in self.of_fighter(fighter_id)}


class FakeRepository:
    def __init__(self, key: str) -> None:
        self.items: dict = {}
        self.key = key

    def get(self, key):
        return self.items.get(key)

    def save(self, item):
        self.items[getattr(item, self.key)] = item


class FakeAnnouncementLog:
    def __init__(self) -> None:
        self.announced: dict = {}

    def is_news(self, item):
        last = self.announced.get(self._key(item))
        return last is None or (item.updated_at >= last.updated_at and item != last)

    def remember(self, item):
        self.announced[self._key(item)] = item

    @staticmethod
    def _key(item):
        return (type(item).__name__, getattr(item, "fighter_id", None) or item.weight_class)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.stale = StaleKeys()
        self.fighters = FakeFighterReplica()
        self.results = FakeResultReplica()
        self.records = FakeRepository("fighter_id")
        self.rankings = FakeRepository("weight_class")
        self.announcements = FakeAnnouncementLog()
        self.events: list = []

    def record(self, event):
        self.events.append(event)

    def forget_derived_state(self):
        """What a replay empties (the announcement log stays)."""
        self.fighters, self.results = FakeFighterReplica(), FakeResultReplica()
        self.records, self.rankings = FakeRepository("fighter_id"), FakeRepository("weight_class")


def fighter(fighter_id, status="active", weight_class="lightweight", at=T0):
    return FighterSnapshot(fighter_id, f"Fighter {fighter_id.upper()}", weight_class, status, at)


_bouts = iter(range(10_000))


def result(red, blue, winner=None, outcome="win", method="KO/TKO", on=date(2024, 3, 1), weight_class="lightweight",
           bout_id=None, recorded=None):
    if outcome == "win" and winner is None:
        winner = red
    bout_id = bout_id or f"bout-{next(_bouts):04d}"
    recorded = recorded or datetime(on.year, on.month, on.day, 23, tzinfo=UTC)
    return CountedResult(bout_id, on, weight_class, red, blue, outcome, winner if outcome == "win" else None, method,
                         recorded)


def apply(uow, *facts, batch=1):
    """Hand ``facts`` to the handlers, re-deriving after every ``batch`` of them (a subscription's poll batch)."""
    for index, fact in enumerate(facts, start=1):
        if isinstance(fact, CountedResult):
            handlers.result_published(fact, uow)
        else:
            handlers.fighter_published(fact, uow)
        if index % batch == 0 or index == len(facts):
            handlers.refresh_stale(uow)
    return uow


def test_a_win_counts_for_the_winner_and_a_loss_for_the_loser_by_method():
    uow = apply(FakeUnitOfWork(), result("a", "b", winner="b", method="SUB"))
    a, b = uow.records.get("a"), uow.records.get("b")
    assert (b.wins, b.wins_by_submission, b.losses) == (1, 1, 0)
    assert (a.losses, a.losses_by_submission, a.wins) == (1, 1, 0)


def test_wins_and_losses_are_split_by_how_the_bout_ended():
    uow = apply(FakeUnitOfWork(), *[
        result("a", "x", method=method, on=date(2024, 1, day + 1)) for day, method in
        enumerate(["KO/TKO", "KO/TKO", "SUB", "DEC-U", "DEC-S", "DEC-M", "DQ"])
    ])
    a, x = uow.records.get("a"), uow.records.get("x")
    assert (a.wins, a.wins_by_ko_tko, a.wins_by_submission, a.wins_by_decision, a.wins_by_dq) == (7, 2, 1, 3, 1)
    assert (x.losses, x.losses_by_ko_tko, x.losses_by_submission, x.losses_by_decision) == (7, 2, 1, 3)


def test_draws_and_no_contests_are_counted_for_both_fighters():
    uow = apply(FakeUnitOfWork(), result("a", "b", outcome="draw", method="DEC-S"),
                result("a", "b", outcome="no_contest", method="NC", on=date(2024, 6, 1)))
    for fighter_id in "ab":
        record = uow.records.get(fighter_id)
        assert (record.wins, record.losses, record.draws, record.no_contests) == (0, 0, 1, 1)


def test_fighter_has_a_record_only_from_completed_bouts():
    uow = apply(FakeUnitOfWork(), fighter("a"))
    record = uow.records.get("a")
    assert (record.wins, record.losses, record.draws, record.no_contests) == (0, 0, 0, 0)
    assert (record.current_streak, record.last_fight_date, record.fights_per_year) == (0, None, 0.0)
    assert record.name == "Fighter A" and record.updated_at == T0


def test_record_name_is_null_until_roster_publishes_the_fighter():
    uow = apply(FakeUnitOfWork(), result("a", "b", weight_class="welterweight"))
    assert uow.records.get("a").name is None
    assert uow.records.get("a").weight_class == "welterweight"  # the latest bout's division, until roster says
    apply(uow, fighter("a", weight_class="middleweight"))
    assert (uow.records.get("a").name, uow.records.get("a").weight_class) == ("Fighter A", "middleweight")


@pytest.mark.parametrize("verdicts, streak", [
    ("WWW", 3), ("LWW", 2), ("WLL", -2), ("WWD", 0), ("WWN", 0), ("DLW", 1), ("", 0),
])
def test_current_streak_counts_the_latest_run_of_wins_or_losses(verdicts, streak):
    outcomes = {"W": ("win", "a"), "L": ("win", "b"), "D": ("draw", None), "N": ("no_contest", None)}
    facts = [fighter("a")]
    for day, verdict in enumerate(verdicts):
        outcome, winner = outcomes[verdict]
        method = {"win": "KO/TKO", "draw": "DEC-U", "no_contest": "NC"}[outcome]
        facts.append(result("a", "b", winner=winner, outcome=outcome, method=method, on=date(2024, 1, day + 1)))
    assert apply(FakeUnitOfWork(), *facts).records.get("a").current_streak == streak


def test_results_count_in_bout_date_order_whatever_order_they_arrive():
    late, early = result("a", "b", winner="a", on=date(2024, 5, 1)), result("a", "b", winner="b", on=date(2024, 1, 1))
    record = apply(FakeUnitOfWork(), late, early).records.get("a")
    assert (record.current_streak, record.last_fight_date) == (1, date(2024, 5, 1))


def test_fights_per_year_spreads_bouts_over_at_least_one_year():
    short = apply(FakeUnitOfWork(), result("a", "b", on=date(2024, 1, 1)), result("a", "c", on=date(2024, 3, 1)))
    assert short.records.get("a").fights_per_year == 2.0
    dates = [date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1), date(2024, 1, 1)]
    long = apply(FakeUnitOfWork(), *[result("a", f"o{index}", on=day) for index, day in enumerate(dates)])
    assert long.records.get("a").fights_per_year == round(4 / (1461 / 365.25), 2)


def test_updated_at_is_the_newest_contributing_fact_not_the_clock():
    newest = T0 + timedelta(days=90)
    uow = apply(FakeUnitOfWork(), result("a", "b", recorded=T0 + timedelta(days=30)), fighter("a", at=newest),
                result("a", "c", on=date(2023, 1, 1), recorded=T0 + timedelta(days=10)))
    assert uow.records.get("a").updated_at == newest
    assert uow.records.get("b").updated_at == T0 + timedelta(days=30)
    assert uow.rankings.get("lightweight").updated_at == newest


def test_an_older_roster_state_never_replaces_a_newer_one():
    uow = apply(FakeUnitOfWork(), fighter("a", status="retired", at=T0 + timedelta(days=2)),
                fighter("a", status="active", at=T0 + timedelta(days=1)))
    assert uow.fighters.get("a").status == "retired"


def test_elo_moves_sixteen_points_between_equals_and_draws_between_equals_move_nobody():
    uow = apply(FakeUnitOfWork(), fighter("a"), fighter("b"), fighter("c"), fighter("d"),
                result("a", "b", winner="a"), result("c", "d", outcome="draw", method="DEC-U"))
    ratings = {entry.fighter_id: entry.rating for entry in uow.rankings.get("lightweight").entries}
    assert ratings == {"a": ELO_START + 16, "b": ELO_START - 16, "c": ELO_START, "d": ELO_START}


def test_elo_counts_bouts_in_date_order_even_when_a_result_is_recorded_late():
    recorded_late = result("a", "b", winner="a", on=date(2024, 1, 1), recorded=datetime(2024, 6, 1, tzinfo=UTC))
    rematch = result("a", "b", winner="b", on=date(2024, 3, 1), recorded=datetime(2024, 3, 1, tzinfo=UTC))
    uow = apply(FakeUnitOfWork(), fighter("a"), fighter("b"), rematch, recorded_late)
    assert [(entry.fighter_id, entry.rating) for entry in uow.rankings.get("lightweight").entries] == [
        ("b", 1501.5), ("a", 1498.5)]
    assert uow.records.get("a").current_streak == -1


def test_no_contest_moves_no_rating():
    uow = apply(FakeUnitOfWork(), fighter("a"), fighter("b"), result("a", "b", outcome="no_contest", method="NC"))
    assert [entry.rating for entry in uow.rankings.get("lightweight").entries] == [ELO_START, ELO_START]


def test_ranking_orders_by_rating_and_counts_wins_and_losses_in_the_division():
    uow = apply(FakeUnitOfWork(), *[fighter(f) for f in "abc"],
                result("a", "b", winner="a", on=date(2024, 1, 1)), result("a", "c", winner="a", on=date(2024, 2, 1)),
                result("b", "c", winner="b", on=date(2024, 3, 1)),
                result("a", "b", winner="b", on=date(2024, 4, 1), weight_class="welterweight"))
    entries = uow.rankings.get("lightweight").entries
    assert [(entry.rank, entry.fighter_id, entry.wins, entry.losses) for entry in entries] == [
        (1, "a", 2, 0), (2, "b", 1, 1), (3, "c", 0, 2)]
    assert entries[0].rating > entries[1].rating > entries[2].rating
    assert [entry.fighter_id for entry in uow.rankings.get("welterweight").entries] == ["b", "a"]


def test_ranking_lists_only_fighters_roster_knows_as_active():
    uow = apply(FakeUnitOfWork(), fighter("a"), fighter("b", status="retired"),
                result("a", "b", winner="b"), result("a", "c", winner="c", on=date(2024, 4, 1)))
    assert [entry.fighter_id for entry in uow.rankings.get("lightweight").entries] == ["a"]


def test_ranking_keeps_the_top_fifteen_and_breaks_rating_ties_by_fighter_id():
    names = [f"f{index:02d}" for index in range(20)]
    uow = apply(FakeUnitOfWork(), *[fighter(name) for name in names],
                *[result(names[index], names[index + 10], winner=names[index]) for index in range(10)])
    entries = uow.rankings.get("lightweight").entries
    assert len(entries) == RANKED_FIGHTERS and [entry.rank for entry in entries] == list(range(1, 16))
    assert [entry.fighter_id for entry in entries] == names[:15]


def roster_and_results():
    names = "abcdef"
    facts = [fighter(name, weight_class="lightweight", at=T0 + timedelta(days=index))
             for index, name in enumerate(names)]
    facts.append(fighter("a", status="retired", at=T0 + timedelta(days=400)))
    for index in range(12):
        red, blue = names[index % 6], names[(index * 5 + 1) % 6]
        if red == blue:
            blue = names[(index + 2) % 6]
        outcome, method = [("win", "KO/TKO"), ("win", "DEC-S"), ("draw", "DEC-M"), ("no_contest", "NC")][index % 4]
        facts.append(result(red, blue, winner=blue if index % 3 else red, outcome=outcome, method=method,
                            on=date(2024, 1 + index % 6, 1 + index), bout_id=f"order-{index:02d}",
                            weight_class="lightweight" if index % 5 else "welterweight"))
    return facts


def products(uow):
    return dict(uow.records.items), dict(uow.rankings.items)


def test_elo_ranking_is_identical_whatever_order_results_arrive():
    facts = roster_and_results()
    expected = products(apply(FakeUnitOfWork(), *facts))
    for seed in range(25):
        shuffled = list(facts)
        random.Random(seed).shuffle(shuffled)
        assert products(apply(FakeUnitOfWork(), *shuffled)) == expected, f"order of seed {seed}"


@pytest.mark.parametrize("batch", [2, 5, 100])
def test_products_are_identical_whatever_batches_the_facts_arrive_in(batch):
    facts = roster_and_results()
    assert products(apply(FakeUnitOfWork(), *facts, batch=batch)) == products(apply(FakeUnitOfWork(), *facts))


def test_a_batch_announces_each_record_it_touched_once_in_its_final_state():
    uow = apply(FakeUnitOfWork(), fighter("a"), fighter("b"), *[
        result("a", "b", on=date(2024, month, 1)) for month in (1, 2, 3)], batch=10)
    records = [event.record for event in uow.events if isinstance(event, FighterRecordUpdated)]
    assert sorted(record.fighter_id for record in records) == ["a", "b"]
    assert uow.records.get("a").wins == 3 and records[0] == uow.records.get("a")


def test_a_fact_delivered_twice_announces_nothing_new():
    bout = result("a", "b")
    uow = apply(FakeUnitOfWork(), fighter("a"), fighter("b"), bout)
    announced = list(uow.events)
    apply(uow, bout)
    assert uow.events == announced
    assert {type(event) for event in announced} == {FighterRecordUpdated, RankingUpdated}


def published_at(fact):
    return fact.recorded_at if isinstance(fact, CountedResult) else fact.updated_at


def test_rebuild_in_publication_order_announces_nothing_subscribers_already_have():
    facts = sorted(roster_and_results(), key=published_at)
    uow = apply(FakeUnitOfWork(), *facts)
    before, announced = products(uow), len(uow.events)
    uow.forget_derived_state()
    apply(uow, *facts)
    assert products(uow) == before
    assert len(uow.events) == announced


def test_rebuild_in_any_order_never_announces_an_older_state_and_ends_on_the_rebuilt_one():
    facts = roster_and_results()
    uow = apply(FakeUnitOfWork(), *facts)
    before, announced_before = products(uow), dict(uow.announcements.announced)
    for seed in range(10):
        uow.forget_derived_state()
        uow.events.clear()
        shuffled = list(facts)
        random.Random(seed).shuffle(shuffled)
        apply(uow, *shuffled)
        assert products(uow) == before
        for event in uow.events:
            item = getattr(event, "record", None) or event.ranking
            assert item.updated_at >= announced_before[FakeAnnouncementLog._key(item)].updated_at
        records, rankings = before
        assert {key[1]: item for key, item in uow.announcements.announced.items() if key[0] == "FighterRecord"} \
            == records
        assert {key[1]: item for key, item in uow.announcements.announced.items() if key[0] == "Ranking"} == rankings


@pytest.mark.parametrize("changes, field", [
    ({"outcome": "win", "winner": "z"}, "winner_fighter_id"),
    ({"outcome": "draw", "winner": "a"}, "winner_fighter_id"),
    ({"outcome": "forfeit"}, "outcome"),
    ({"blue": "a"}, "blue_fighter_id"),
])
def test_a_result_that_contradicts_itself_is_refused_rather_than_counted(changes, field):
    values = dict(bout_id="x", bout_date=date(2024, 1, 1), weight_class="lightweight", red_fighter_id="a",
                  blue_fighter_id=changes.get("blue", "b"), outcome=changes.get("outcome", "win"),
                  winner_fighter_id=changes.get("winner"), method="DEC-U", recorded_at=T0)
    with pytest.raises(UncountableResult) as refused:
        CountedResult(**values)
    assert refused.value.field == field
