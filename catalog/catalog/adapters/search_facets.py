"""Facet values of the search index and their codes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from catalog.adapters.tables import SearchFacetValueRow

IN_LIST = 500  # keys per IN (...) list: well inside the databases' limits on bound parameters
FACET_VALUES: Table = SearchFacetValueRow.__table__  # type: ignore[attr-defined]


class FacetValues:
    """Facet values and their codes: a code is a hash of ``facet=value``, so it means the same in every process
    and in every transaction, committed or not; names are read from the store once per process, then only when an
    unknown code shows up. A code is 12 hex digits; as a number (:meth:`number_of`) it packs into 8 bytes."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str]] = {}
        self._numbers: dict[int, tuple[str, str]] = {}

    @staticmethod
    @lru_cache(maxsize=1 << 16)  # indexing asks for the same few thousand values over and over
    def code_of(facet: str, value: str) -> str:
        return hashlib.blake2b(f"{facet}={value}".encode(), digest_size=6).hexdigest()

    @staticmethod
    @lru_cache(maxsize=1 << 16)
    def number_of(code: str) -> int:
        return int(code, 16)

    def names_of(self, session: Session, codes: list[str]) -> list[tuple[str, str]]:
        """``(facet, value)`` of each code: one dict lookup each (a search names thousands of tag values)."""
        try:
            return [self._names[code] for code in codes]
        except KeyError:  # a value another process added
            self._read(session)
            return [self._names[code] for code in codes]

    def names_of_numbers(self, session: Session, numbers: list[int]) -> list[tuple[str, str]]:
        """``(facet, value)`` of each code given as a number."""
        try:
            return [self._numbers[number] for number in numbers]
        except KeyError:  # a value another process added
            self._read(session)
            return [self._numbers[number] for number in numbers]

    def add_many(self, session: Session, pairs: Iterable[tuple[str, str]]) -> None:
        """Make sure the store knows the code of every ``(facet, value)``: one read and one insert for those this
        process has not seen yet."""
        unseen = {self.code_of(facet, value): (facet, value) for facet, value in pairs}
        unseen = {code: pair for code, pair in unseen.items() if code not in self._names}
        if not unseen:
            return
        codes = list(unseen)
        known: set[str] = set()
        for start in range(0, len(codes), IN_LIST):
            chunk = codes[start: start + IN_LIST]
            known.update(session.scalars(select(col(SearchFacetValueRow.code)).where(
                col(SearchFacetValueRow.code).in_(chunk))))
        missing = [{"code": code, "facet": facet, "value": value}
                   for code, (facet, value) in unseen.items() if code not in known]
        if missing:
            session.execute(insert(FACET_VALUES), missing)
        self._remember(unseen.items())

    def _read(self, session: Session) -> None:
        rows = session.execute(select(FACET_VALUES.c.code, FACET_VALUES.c.facet, FACET_VALUES.c.value))
        self._remember((code, (facet, value)) for code, facet, value in rows)

    def _remember(self, names: Iterable[tuple[str, tuple[str, str]]]) -> None:
        for code, name in names:
            self._names[code] = name
            self._numbers[self.number_of(code)] = name
