"""Stats' reactions to published facts. They stage changes and events in the unit of work; the caller commits.

A fact is stored in stats' own replica and marks what it touches as stale; :func:`refresh_stale` then re-derives
each stale record and ranking from the whole replica. So the products depend only on the set of facts received,
never on the order they arrived in — and a batch of facts costs one re-derivation per touched key, not one per fact.
"""

from __future__ import annotations

from stats.domain.events import FighterRecordUpdated, RankingUpdated, StatsEvent
from stats.domain.model import CountedResult, FighterRecord, FighterSnapshot, Ranking
from stats.service.unit_of_work import StatsUnitOfWork


def result_published(result: CountedResult, uow: StatsUnitOfWork) -> None:
    """Results published a bout's result: both fighters' records and the division's ranking are stale."""
    previous = uow.results.get(result.bout_id)
    uow.results.upsert(result)
    for counted in (result, previous) if previous is not None else (result,):
        uow.stale.fighter_ids.update(counted.fighters)
        uow.stale.weight_classes.add(counted.weight_class)


def fighter_published(fighter: FighterSnapshot, uow: StatsUnitOfWork) -> None:
    """Roster published a fighter: their record and the rankings of every division they fought in are stale."""
    uow.fighters.upsert(fighter)
    uow.stale.fighter_ids.add(fighter.fighter_id)
    uow.stale.weight_classes.update(uow.results.weight_classes_of(fighter.fighter_id))


def refresh_stale(uow: StatsUnitOfWork) -> None:
    """Re-derive every stale record and ranking; announce those that changed."""
    fighter_ids, weight_classes = uow.stale.take()
    for fighter_id in sorted(fighter_ids):
        _refresh_record(fighter_id, uow)
    for weight_class in sorted(weight_classes):
        _refresh_ranking(weight_class, uow)


def _refresh_record(fighter_id: str, uow: StatsUnitOfWork) -> None:
    record = FighterRecord.derive(fighter_id, uow.fighters.get(fighter_id), uow.results.of_fighter(fighter_id))
    if record is None or record == uow.records.get(fighter_id):
        return
    uow.records.save(record)
    _announce(record, FighterRecordUpdated(record), uow)


def _refresh_ranking(weight_class: str, uow: StatsUnitOfWork) -> None:
    results = uow.results.in_weight_class(weight_class)
    fighters = uow.fighters.get_many({fighter_id for result in results for fighter_id in result.fighters})
    ranking = Ranking.derive(weight_class, results, fighters)
    if ranking is None or ranking == uow.rankings.get(weight_class):
        return
    uow.rankings.save(ranking)
    _announce(ranking, RankingUpdated(ranking), uow)


def _announce(item: FighterRecord | Ranking, event: StatsEvent, uow: StatsUnitOfWork) -> None:
    # After a replay the products are rebuilt from empty tables; subscribers are told only what is news to them.
    if uow.announcements.is_news(item):
        uow.announcements.remember(item)
        uow.record(event)
