"""The generator: deterministic, big enough, and every card and bout obeys the promotion's booking rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import median

import pytest

from octagon_demo.dataset import DemoDataSet
from octagon_demo.divisions import BY_WEIGHT_CLASS
from octagon_demo.generator import generate_demo_data

WEIGHT_CLASSES = set(BY_WEIGHT_CLASS)
TODAY = date(2026, 11, 24)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _card_dates(data: DemoDataSet) -> dict[int, date]:
    return {card.index: card.date for card in data.cards}


def _fight_dates(data: DemoDataSet) -> dict[int, list[date]]:
    on = _card_dates(data)
    dates: dict[int, list[date]] = defaultdict(list)
    for bout in data.bouts:
        dates[bout.red].append(on[bout.card_index])
        dates[bout.blue].append(on[bout.card_index])
    return dates


def test_same_seed_gives_the_same_data_set():
    first = generate_demo_data(11, scale=0.1, today=TODAY)
    second = generate_demo_data(11, scale=0.1, today=TODAY)

    assert first == second


def test_other_seed_gives_a_different_data_set():
    first = generate_demo_data(11, scale=0.1, today=TODAY)
    other = generate_demo_data(12, scale=0.1, today=TODAY)

    assert [f.name for f in first.fighters] != [f.name for f in other.fighters]
    assert [c.date for c in first.cards] != [c.date for c in other.cards]


def test_a_later_day_extends_the_data_set_without_changing_what_was_loaded_before():
    earlier = generate_demo_data(7, scale=0.1, today=TODAY)
    later = generate_demo_data(7, scale=0.1, today=TODAY + timedelta(days=200))

    assert later.cards[: len(earlier.cards)] == earlier.cards
    assert len(later.cards) > len(earlier.cards)
    for before, after in zip(earlier.bouts, later.bouts, strict=False):
        assert (before.card_index, before.red, before.blue, before.order_on_card) == (
            after.card_index, after.red, after.blue, after.order_on_card)
        if before.outcome is not None:
            assert after.outcome == before.outcome
    assert [f.registration() for f in later.fighters[: len(earlier.fighters)]] == [
        f.registration() for f in earlier.fighters]


def test_smaller_scale_gives_a_smaller_data_set(full):
    small = generate_demo_data(7, scale=0.02, today=TODAY)

    assert 0 < len(small.bouts) < len(full.bouts) / 10
    assert 0 < len(small.fighters) < len(full.fighters) / 10


@pytest.mark.parametrize("scale", [0, -1, 1.5])
def test_scale_outside_zero_to_one_is_refused(scale):
    with pytest.raises(ValueError, match="scale"):
        generate_demo_data(7, scale=scale, today=TODAY)


def test_full_scale_meets_the_volume_targets(full):
    assert len(full.fighters) >= 2000
    assert len(full.cards) >= 300
    assert len(full.bouts) >= 4000
    assert (full.cards[-1].date - full.cards[0].date).days >= 30 * 365
    assert {f.weight_class for f in full.fighters} == WEIGHT_CLASSES


def test_every_bout_pairs_two_distinct_fighters_of_its_weight_class(full):
    for bout in full.bouts:
        assert bout.red != bout.blue
        assert bout.weight_class in WEIGHT_CLASSES
        assert full.fighters[bout.red].weight_class == bout.weight_class
        assert full.fighters[bout.blue].weight_class == bout.weight_class


def test_no_fighter_is_booked_twice_on_a_card(full):
    for card in full.cards:
        booked = [corner for bout in full.bouts_on(card.index) for corner in (bout.red, bout.blue)]
        assert len(booked) == len(set(booked)), card.name


def test_cards_have_ten_to_fourteen_bouts_in_order_with_one_main_event_last(full):
    for card in full.cards:
        bouts = full.bouts_on(card.index)
        assert 10 <= len(bouts) <= 14
        assert [b.order_on_card for b in bouts] == list(range(1, len(bouts) + 1))
        assert [b.main_event for b in bouts] == [False] * (len(bouts) - 1) + [True]


def test_title_bouts_and_main_events_are_scheduled_for_five_rounds_the_rest_for_three(full):
    for bout in full.bouts:
        assert bout.scheduled_rounds == (5 if bout.title_bout or bout.main_event else 3)


def test_main_events_are_often_title_bouts(full):
    mains = [b for b in full.bouts if b.main_event]

    assert 0.3 < sum(b.title_bout for b in mains) / len(mains) < 0.8


def test_no_fighter_is_booked_after_retiring(full):
    dates = _fight_dates(full)
    retired = full.retired

    assert 0.01 * len(full.fighters) < len(retired) < 0.3 * len(full.fighters)
    for fighter in retired:
        assert fighter.retired_after == max(dates[fighter.index])
        assert fighter.retired_after < full.today


def test_last_cards_lie_in_the_future_with_no_results_and_past_cards_have_all(full):
    future = [c for c in full.cards if c.date >= full.today]

    assert len(future) >= 2
    assert future == list(full.cards[-len(future):])
    for bout in full.bouts:
        happened = full.cards[bout.card_index].date < full.today
        assert (bout.outcome is not None) == happened


def test_cards_are_on_saturdays_in_date_order_at_real_venues(full):
    dates = [c.date for c in full.cards]

    assert dates == sorted(set(dates))
    assert {d.weekday() for d in dates} == {5}
    for card in full.cards:
        assert len(card.country) == 2 and card.country.isalpha() and card.country.isupper()
        assert card.venue and card.city and card.name.startswith("Octagon")
    assert len({c.city for c in full.cards}) >= 20


def test_fighters_are_adults_today_and_debut_aged_21_to_40(full):
    for fighter in full.fighters:
        assert _age(fighter.date_of_birth, full.today) >= 18
        assert 21 <= _age(fighter.date_of_birth, fighter.debut) <= 40
    first_bouts = {i: min(d) for i, d in _fight_dates(full).items()}
    assert all(first_bouts[f.index] == f.debut for f in full.fighters)


def test_fighters_have_unique_names_several_nationalities_and_some_nicknames(full):
    names = [f.name for f in full.fighters]
    nationalities = Counter(f.nationality for f in full.fighters)
    nicknamed = sum(f.nickname is not None for f in full.fighters) / len(full.fighters)

    assert len(set(names)) == len(names)
    assert len(nationalities) >= 25
    assert nationalities.most_common(1)[0][1] < 0.4 * len(full.fighters)
    assert all(len(code) == 2 and code.isupper() for code in nationalities)
    assert 0.2 < nicknamed < 0.5


def test_height_and_reach_grow_with_the_weight_class(full):
    by_class: dict[str, list[int]] = defaultdict(list)
    for fighter in full.fighters:
        assert 140 <= fighter.height_cm <= 230 and 140 <= fighter.reach_cm <= 240
        assert fighter.stance in {"orthodox", "southpaw", "switch"}
        by_class[fighter.weight_class].append(fighter.height_cm)
    for womens in (False, True):
        classes = sorted((d for d in BY_WEIGHT_CLASS.values() if d.womens == womens), key=lambda d: d.limit_lb)
        means = [sum(by_class[d.weight_class]) / len(by_class[d.weight_class]) for d in classes]
        assert means == sorted(means)
    reach_minus_height = [f.reach_cm - f.height_cm for f in full.fighters]
    assert 0 < median(reach_minus_height) < 8


def test_women_are_a_realistic_minority(full):
    womens = sum(BY_WEIGHT_CLASS[f.weight_class].womens for f in full.fighters) / len(full.fighters)

    assert 0.05 < womens < 0.25


def test_fighters_fight_two_to_four_times_a_year_over_careers_of_several_years(full):
    dates = _fight_dates(full)
    regulars = [sorted(d) for d in dates.values() if len(d) >= 4]
    per_year = [(len(d) - 1) / ((d[-1] - d[0]).days / 365.25) for d in regulars]
    careers = [(d[-1] - d[0]).days / 365.25 for d in regulars]

    assert 2.0 <= median(per_year) <= 4.0
    assert median(careers) >= 1.5
    assert sum(years >= 4 for years in careers) >= 100
