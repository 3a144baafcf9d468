"""Where the promotion holds its cards, and what the cards are called."""

from __future__ import annotations

import random
from dataclasses import dataclass

PROMOTION = "Octagon"


@dataclass(frozen=True)
class Venue:
    venue: str
    city: str
    country: str
    """ISO 3166-1 alpha-2."""
    weight: float
    """How often the promotion goes there, relative to the others."""


VENUES: tuple[Venue, ...] = (
    Venue("Octagon Apex", "Las Vegas", "US", 14),
    Venue("T-Mobile Arena", "Las Vegas", "US", 9),
    Venue("MGM Grand Garden Arena", "Las Vegas", "US", 7),
    Venue("Madison Square Garden", "New York", "US", 4),
    Venue("Barclays Center", "Brooklyn", "US", 2),
    Venue("United Center", "Chicago", "US", 2),
    Venue("Toyota Center", "Houston", "US", 2),
    Venue("Honda Center", "Anaheim", "US", 2),
    Venue("Crypto.com Arena", "Los Angeles", "US", 2),
    Venue("Kaseya Center", "Miami", "US", 2),
    Venue("Bridgestone Arena", "Nashville", "US", 1.5),
    Venue("Nationwide Arena", "Columbus", "US", 1.5),
    Venue("Prudential Center", "Newark", "US", 1.5),
    Venue("TD Garden", "Boston", "US", 1.5),
    Venue("Pepsi Center", "Denver", "US", 1.5),
    Venue("Amalie Arena", "Tampa", "US", 1),
    Venue("Climate Pledge Arena", "Seattle", "US", 1),
    Venue("Scotiabank Arena", "Toronto", "CA", 2),
    Venue("Bell Centre", "Montreal", "CA", 2),
    Venue("Rogers Place", "Edmonton", "CA", 1),
    Venue("Rogers Arena", "Vancouver", "CA", 1),
    Venue("Arena CDMX", "Mexico City", "MX", 1.5),
    Venue("Farmasi Arena", "Rio de Janeiro", "BR", 2),
    Venue("Ginásio do Ibirapuera", "São Paulo", "BR", 2),
    Venue("Arena da Baixada", "Curitiba", "BR", 1),
    Venue("Movistar Arena", "Santiago", "CL", 0.5),
    Venue("Estadio Luna Park", "Buenos Aires", "AR", 0.5),
    Venue("The O2", "London", "GB", 2.5),
    Venue("AO Arena", "Manchester", "GB", 1),
    Venue("OVO Hydro", "Glasgow", "GB", 1),
    Venue("3Arena", "Dublin", "IE", 1),
    Venue("Accor Arena", "Paris", "FR", 1),
    Venue("Lanxess Arena", "Cologne", "DE", 1),
    Venue("Barclays Arena", "Hamburg", "DE", 0.5),
    Venue("Ziggo Dome", "Amsterdam", "NL", 0.5),
    Venue("Avicii Arena", "Stockholm", "SE", 1),
    Venue("Royal Arena", "Copenhagen", "DK", 0.5),
    Venue("Ergo Arena", "Gdańsk", "PL", 0.5),
    Venue("O2 Arena", "Prague", "CZ", 0.5),
    Venue("Olympic Stadium", "Moscow", "RU", 0.5),
    Venue("Etihad Arena", "Abu Dhabi", "AE", 3),
    Venue("Coca-Cola Arena", "Dubai", "AE", 0.5),
    Venue("Kingdom Arena", "Riyadh", "SA", 1),
    Venue("Saitama Super Arena", "Saitama", "JP", 1),
    Venue("KSPO Dome", "Seoul", "KR", 1),
    Venue("Cotai Arena", "Macau", "MO", 0.5),
    Venue("Mercedes-Benz Arena", "Shanghai", "CN", 1),
    Venue("Singapore Indoor Stadium", "Singapore", "SG", 1),
    Venue("Qudos Bank Arena", "Sydney", "AU", 1.5),
    Venue("RAC Arena", "Perth", "AU", 1),
    Venue("Rod Laver Arena", "Melbourne", "AU", 1.5),
    Venue("Spark Arena", "Auckland", "NZ", 1),
)


def draw_venue(rng: random.Random) -> Venue:
    return rng.choices(VENUES, weights=[venue.weight for venue in VENUES])[0]


def card_name(number: int | None, venue: Venue, headliners: tuple[str, str]) -> str:
    """``Octagon 212: Silva vs. Volkov`` for a numbered card, ``Octagon Fight Night Perth: ...`` otherwise."""
    billing = f"{_surname(headliners[0])} vs. {_surname(headliners[1])}"
    if number is not None:
        return f"{PROMOTION} {number}: {billing}"
    return f"{PROMOTION} Fight Night {venue.city}: {billing}"


def _surname(name: str) -> str:
    first, _, rest = name.partition(" ")
    return rest or first
