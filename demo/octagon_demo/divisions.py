"""The promotion's weight classes and what fighters in them look like."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Division:
    weight_class: str
    """The wire name roster and schedule use."""
    limit_lb: int
    womens: bool
    share: float
    """Relative share of bouts once the division is open."""
    opened: date
    """The promotion held no bouts in this division before this date."""
    height_cm: float
    """Mean height of its fighters."""
    knockout_factor: float
    """Heavier fighters finish by strikes more often; lighter ones go to decisions more often."""

    def draw_frame(self, rng: random.Random) -> tuple[int, int]:
        """Height and reach in centimetres, plausible for the weight class (reach runs slightly above height)."""
        height = round(rng.gauss(self.height_cm, 4.5))
        reach = round(height + rng.gauss(1.5 if self.womens else 3.5, 4.0))
        return min(max(height, 140), 230), min(max(reach, 140), 240)


DIVISIONS: tuple[Division, ...] = (
    Division("flyweight", 125, False, 6, date(2011, 6, 1), 166, 0.7),
    Division("bantamweight", 135, False, 9, date(1994, 1, 1), 170, 0.85),
    Division("featherweight", 145, False, 10, date(1994, 1, 1), 174, 0.9),
    Division("lightweight", 155, False, 14, date(1994, 1, 1), 177, 0.95),
    Division("welterweight", 170, False, 13, date(1994, 1, 1), 181, 1.0),
    Division("middleweight", 185, False, 10, date(1994, 1, 1), 185, 1.15),
    Division("light_heavyweight", 205, False, 7, date(1994, 1, 1), 189, 1.3),
    Division("heavyweight", 265, False, 8, date(1994, 1, 1), 193, 1.5),
    Division("womens_strawweight", 115, True, 7, date(2013, 11, 1), 161, 0.55),
    Division("womens_flyweight", 125, True, 6, date(2016, 11, 1), 165, 0.6),
    Division("womens_bantamweight", 135, True, 6, date(2011, 2, 1), 169, 0.8),
    Division("womens_featherweight", 145, True, 2, date(2016, 2, 1), 172, 0.9),
)

BY_WEIGHT_CLASS: dict[str, Division] = {division.weight_class: division for division in DIVISIONS}


def open_divisions(on: date) -> tuple[Division, ...]:
    """Divisions the promotion books bouts in on ``on``."""
    return tuple(division for division in DIVISIONS if division.opened <= on)
