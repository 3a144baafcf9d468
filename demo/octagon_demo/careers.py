"""Fighters' careers while the promotion's history is simulated: signing, rating, rest, leaving."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from octagon_demo.dataset import BoutOutcome, DemoFighter
from octagon_demo.divisions import Division
from octagon_demo.names import NICKNAMES, draw_region

STANCES: tuple[tuple[str, float], ...] = (("orthodox", 72.0), ("southpaw", 21.0), ("switch", 7.0))
NICKNAME_SHARE = 0.35
DEBUT_AGE_YEARS = (21, 39)
ELO_K = 32.0
PEAK_AGE = 30.0


@dataclass
class Career:
    """A signed fighter: the profile roster gets, and the record the simulation keeps."""

    fighter: DemoFighter
    division: Division
    available_from: date
    rating: float = 1500.0
    """What matchmakers see (Elo from results); the hidden ``fighter.skill`` decides bouts."""
    bouts: int = 0
    losing_streak: int = 0
    last_bout: date | None = None
    left: bool = False
    retired_after: date | None = None
    dates: list[date] = field(default_factory=list)

    @property
    def index(self) -> int:
        return self.fighter.index

    def age_on(self, day: date) -> int:
        born = self.fighter.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def form_on(self, day: date) -> float:
        """Hidden skill, blunted before and after a fighter's prime."""
        return self.fighter.skill - 0.012 * (self.age_on(day) - PEAK_AGE) ** 2


class Signings:
    """Signs new fighters with unique names; draws from the generator's one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.count = 0

    def sign(self, division: Division, debut: date) -> Career:
        rng = self.rng
        region = draw_region(rng)
        name = region.draw_name(rng, division.womens)
        for _ in range(200):
            if name not in self.names:
                break
            region = draw_region(rng)
            name = region.draw_name(rng, division.womens)
        self.names.add(name)
        age = round(rng.triangular(DEBUT_AGE_YEARS[0], DEBUT_AGE_YEARS[1], 25))
        born = _years_before(debut, age) - timedelta(days=rng.randrange(365))
        height, reach = division.draw_frame(rng)
        fighter = DemoFighter(
            index=self.count,
            name=name,
            nickname=rng.choice(NICKNAMES) if rng.random() < NICKNAME_SHARE else None,
            date_of_birth=born,
            nationality=region.draw_country(rng),
            weight_class=division.weight_class,
            stance=rng.choices([s for s, _ in STANCES], weights=[w for _, w in STANCES])[0],
            height_cm=height,
            reach_cm=reach,
            skill=round(rng.gauss(0.0, 1.0), 4),
            debut=debut,
            retired_after=None,
        )
        self.count += 1
        return Career(fighter, division, available_from=debut)


def settle(rng: random.Random, day: date, red: Career, blue: Career, outcome: BoutOutcome, champion: int | None) -> None:
    """Update both records after a bout: ratings, rest until the next bout, and whether each fighter leaves."""
    if outcome.outcome != "no_contest":
        expected_red = 1.0 / (1.0 + 10 ** ((blue.rating - red.rating) / 400))
        score_red = 0.5 if outcome.outcome == "draw" else float(outcome.winner == red.index)
        red.rating += ELO_K * (score_red - expected_red)
        blue.rating -= ELO_K * (score_red - expected_red)
    for career in (red, blue):
        won = outcome.winner == career.index
        lost = outcome.outcome == "win" and not won
        career.bouts += 1
        career.last_bout = day
        career.dates.append(day)
        career.losing_streak = career.losing_streak + 1 if lost else 0
        rest = rng.uniform(60, 130) if not lost else rng.uniform(80, 170)
        if lost and outcome.method == "KO/TKO":
            rest += 60  # medical suspension
        if rng.random() < 0.06:
            rest += rng.uniform(150, 400)  # injury layoff
        career.available_from = day + timedelta(days=round(rest))
        _maybe_leave(rng, day, career, lost=lost, is_champion=champion == career.index)


def _maybe_leave(rng: random.Random, day: date, career: Career, *, lost: bool, is_champion: bool) -> None:
    """Losing streaks get fighters released; age and long careers make them retire (after this, their last bout)."""
    age = career.age_on(day)
    chance = 0.07
    if lost:
        chance = 0.33 + 0.2 * (career.losing_streak - 1)
    if is_champion:
        chance = 0.01
    if age >= 35:
        chance += 0.12 * (age - 34)
    if rng.random() >= min(chance, 1.0):
        return
    career.left = True
    if age >= 35 or career.bouts >= 12 or is_champion:
        career.retired_after = day


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
