"""The demo data set, generated from a seed with no I/O: the promotion's history simulated card by card.

The simulation walks a fixed calendar from the promotion's first card (``ORIGIN``; later for ``scale`` < 1) to a
little after ``today``, drawing everything from one ``random.Random(seed)``. It never looks at ``today`` except to
stop, so the data set of a later day extends the data set of an earlier one: loading again on a later day replays
everything already loaded (same idempotency keys, same bodies) and adds what happened since. Cards on or after
``today`` are announced and booked but have no results yet; a fighter's retirement counts once the card of their
last bout lies in the past.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from octagon_demo.careers import Career, Signings, settle
from octagon_demo.dataset import BoutOutcome, DemoBout, DemoCard, DemoDataSet, DemoFighter
from octagon_demo.divisions import Division, open_divisions
from octagon_demo.outcomes import decide_bout
from octagon_demo.places import card_name, draw_venue

ORIGIN = date(1994, 3, 12)
"""The promotion's first card at scale 1.0."""
FULL_HISTORY_DAYS = 32 * 365
"""At scale ``s`` the history starts ``(1 - s) * FULL_HISTORY_DAYS`` after ``ORIGIN``."""
ANNOUNCED_AHEAD = timedelta(days=75)
"""Cards up to this far after ``today`` are already announced ..."""
MIN_ANNOUNCED = 3
"""... and at least this many."""
BOUTS_PER_CARD = (10, 14)
TITLE_MAIN_EVENT_SHARE = 0.55
TITLE_CO_MAIN_SHARE = 0.12
DEBUTANT_SHARE = 0.16
"""Share of undercard slots that go to a newly signed fighter even when regulars are available."""
LONGEST_WAITING = 6
"""Undercard opponents come from the fighters who have waited longest, so everyone keeps fighting."""


def generate_demo_data(seed: int = 7, *, scale: float = 1.0, today: date) -> DemoDataSet:
    """The demo data set for ``seed`` as of ``today``; ``scale`` in (0, 1] shortens the history for tests."""
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be in (0, 1], not {scale}")
    promotion = _Promotion(random.Random(seed))
    day = ORIGIN + timedelta(days=round((1 - scale) * FULL_HISTORY_DAYS))
    announced = 0
    while day <= today + ANNOUNCED_AHEAD or announced < MIN_ANNOUNCED:
        promotion.hold_card(day)
        announced += day >= today
        day = _next_card_date(promotion.rng, day)
    return promotion.data_set(seed, scale, today)


def cards_per_year(day: date) -> float:
    """The promotion started small and grew to a card every four weeks or so."""
    years = (day - ORIGIN).days / 365.25
    return min(15.0, 4.0 + 0.8 * years)


def _next_card_date(rng: random.Random, day: date) -> date:
    gap = 365.25 / cards_per_year(day) * rng.uniform(0.6, 1.4)
    following = day + timedelta(days=max(7, round(gap)))
    return following + timedelta(days=(5 - following.weekday()) % 7)  # cards are on Saturdays


@dataclass
class _Booking:
    red: Career
    blue: Career
    division: Division
    title_bout: bool = False
    main_event: bool = False


@dataclass
class _Card:
    card: DemoCard
    bookings: list[_Booking]
    outcomes: list[BoutOutcome]


class _Promotion:
    """The simulation's state: who is signed, who holds which title, and the cards held so far."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.signings = Signings(rng)
        self.careers: list[Career] = []
        self.rosters: dict[str, list[Career]] = defaultdict(list)
        self.champions: dict[str, int | None] = {}
        self.cards: list[_Card] = []
        self.numbered = 0

    def hold_card(self, day: date) -> None:
        divisions = open_divisions(day)
        on_card: set[int] = set()
        main = self._book_main_event(day, divisions, on_card)
        bookings: list[_Booking] = []
        if self.rng.random() < TITLE_CO_MAIN_SHARE:
            co_main = self._book_title_bout(day, [d for d in divisions if d is not main.division], on_card)
            if co_main is not None:
                bookings.append(co_main)
        for _ in range(self.rng.randint(*BOUTS_PER_CARD) - 1 - len(bookings)):
            division = self._pick_undercard_division(day, divisions, on_card)
            bookings.append(self._book_pair(day, division, on_card, newcomer_share=DEBUTANT_SHARE))
        # Prelims first, ranked bouts later; a title bout on the undercard is the co-main event.
        bookings.sort(key=lambda b: (b.title_bout, b.red.rating + b.blue.rating))
        bookings.append(main)
        outcomes = [self._fight(day, booking) for booking in bookings]
        venue = draw_venue(self.rng)
        number = None
        if main.title_bout or self.rng.random() < 0.3 or self.numbered < 20:
            self.numbered += 1
            number = self.numbered
        name = card_name(number, venue, (main.red.fighter.name, main.blue.fighter.name))
        card = DemoCard(len(self.cards), name, day, venue.venue, venue.city, venue.country)
        self.cards.append(_Card(card, bookings, outcomes))

    def _pick_division(self, divisions: tuple[Division, ...]) -> Division:
        return self.rng.choices(divisions, weights=[d.share for d in divisions])[0]

    def _pick_undercard_division(self, day: date, divisions: tuple[Division, ...], on_card: set[int]) -> Division:
        """Matchmakers book the divisions where fighters are waiting for a bout."""
        weights = [d.share * (0.5 + len(self._available(day, d, on_card))) for d in divisions]
        return self.rng.choices(divisions, weights=weights)[0]

    def _book_main_event(self, day: date, divisions: tuple[Division, ...], on_card: set[int]) -> _Booking:
        if self.rng.random() < TITLE_MAIN_EVENT_SHARE:
            title = self._book_title_bout(day, list(divisions), on_card)
            if title is not None:
                title.main_event = True
                return title
        division = self._pick_division(divisions)
        ranked = sorted(self._available(day, division, on_card), key=lambda c: -c.rating)
        if len(ranked) < 2:
            booking = self._book_pair(day, division, on_card, newcomer_share=0.0)
        else:
            red = ranked[0]
            booking = _Booking(red, self.rng.choice(ranked[1:4]), division)
            on_card.update({booking.red.index, booking.blue.index})
        booking.main_event = True
        return booking

    def _book_title_bout(self, day: date, divisions: list[Division], on_card: set[int]) -> _Booking | None:
        """The champion against the best available contender; for a vacant title, the two best available."""
        for division in sorted(divisions, key=lambda d: -d.share * self.rng.random()):
            available = self._available(day, division, on_card)
            contenders = sorted((c for c in available if c.bouts >= 3), key=lambda c: -c.rating)
            champion = self.champions.get(division.weight_class)
            if champion is not None:
                holder = next((c for c in available if c.index == champion), None)
                challengers = [c for c in contenders if c.index != champion]
                if holder is None or not challengers:
                    continue
                pair = (holder, challengers[0])
            elif len(contenders) >= 2:
                pair = (contenders[0], contenders[1])
            else:
                continue
            on_card.update(c.index for c in pair)
            return _Booking(pair[0], pair[1], division, title_bout=True)
        return None

    def _book_pair(self, day: date, division: Division, on_card: set[int], *, newcomer_share: float) -> _Booking:
        """The fighter waiting longest against someone of similar rating; new signings fill any gap."""
        available = self._available(day, division, on_card)
        if not available:
            available = [self._sign(division, day)]
        waiting = sorted(available, key=lambda c: (c.available_from, c.index))
        red, others = waiting[0], waiting[1:LONGEST_WAITING]
        if not others or self.rng.random() < newcomer_share:
            blue = self._sign(division, day)
        else:
            nearest = sorted(others, key=lambda c: (abs(c.rating - red.rating), c.index))[:2]
            blue = self.rng.choice(nearest)
        if blue.rating > red.rating:
            red, blue = blue, red  # the red corner goes to the better-ranked fighter
        on_card.update({red.index, blue.index})
        return _Booking(red, blue, division)

    def _available(self, day: date, division: Division, on_card: set[int]) -> list[Career]:
        return [
            c for c in self.rosters[division.weight_class]
            if not c.left and c.available_from <= day and c.index not in on_card
        ]

    def _sign(self, division: Division, day: date) -> Career:
        career = self.signings.sign(division, day)
        self.careers.append(career)
        self.rosters[division.weight_class].append(career)
        return career

    def _fight(self, day: date, booking: _Booking) -> BoutOutcome:
        rounds = 5 if booking.title_bout or booking.main_event else 3
        red, blue = booking.red, booking.blue
        outcome = decide_bout(
            self.rng,
            red=red.index,
            blue=blue.index,
            red_skill=red.form_on(day),
            blue_skill=blue.form_on(day),
            rounds=rounds,
            knockout_factor=booking.division.knockout_factor,
        )
        weight_class = booking.division.weight_class
        champion = self.champions.get(weight_class)
        if booking.title_bout and outcome.outcome == "win":
            self.champions[weight_class] = outcome.winner
            champion = outcome.winner
        settle(self.rng, day, red, blue, outcome, champion)
        for career in (red, blue):
            if career.left and self.champions.get(weight_class) == career.index:
                self.champions[weight_class] = None  # the title is vacated
        return outcome

    def data_set(self, seed: int, scale: float, today: date) -> DemoDataSet:
        """What the world looks like on ``today``: no results or retirements from cards not yet held."""
        bouts: list[DemoBout] = []
        for held in self.cards:
            happened = held.card.date < today
            for order, (booking, outcome) in enumerate(zip(held.bookings, held.outcomes, strict=True), start=1):
                bouts.append(DemoBout(
                    index=len(bouts),
                    card_index=held.card.index,
                    order_on_card=order,
                    red=booking.red.index,
                    blue=booking.blue.index,
                    weight_class=booking.division.weight_class,
                    title_bout=booking.title_bout,
                    main_event=booking.main_event,
                    scheduled_rounds=5 if booking.title_bout or booking.main_event else 3,
                    outcome=outcome if happened else None,
                ))
        fighters: list[DemoFighter] = [
            replace(c.fighter, retired_after=c.retired_after if c.retired_after and c.retired_after < today else None)
            for c in self.careers
        ]
        return DemoDataSet(
            seed=seed,
            scale=scale,
            today=today,
            fighters=tuple(fighters),
            cards=tuple(held.card for held in self.cards),
            bouts=tuple(bouts),
        )
