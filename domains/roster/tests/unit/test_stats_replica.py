"""Roster's replica of stats' data: a newer copy replaces an older one; nothing is ever added up."""

from datetime import UTC, datetime, timedelta

from roster.domain.stats_replica import RankedCopy, RankingCopy, RecordCopy
from roster.service import stats_replica

T0 = datetime(2024, 7, 13, 23, 10, 5, tzinfo=UTC)


class FakeRecordCopies:
    def __init__(self) -> None:
        self.held: dict[str, RecordCopy] = {}

    def get(self, fighter_id):
        return self.held.get(fighter_id)

    def put(self, copy):
        self.held[copy.fighter_id] = copy


class FakeRankingCopies:
    def __init__(self) -> None:
        self.held: dict[str, RankingCopy] = {}

    def version(self, weight_class):
        held = self.held.get(weight_class)
        return held.version if held else None

    def put(self, copy):
        self.held[copy.weight_class] = copy


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.records = FakeRecordCopies()
        self.rankings = FakeRankingCopies()


def record(wins, version, event="e1"):
    return RecordCopy("f1", wins=wins, losses=1, draws=0, no_contests=0, version=version, source_event_id=event)


def test_a_newer_record_replaces_the_copy_with_stats_figures_not_a_sum():
    uow = FakeUnitOfWork()
    assert stats_replica.record_published(record(3, T0), uow)
    assert stats_replica.record_published(record(4, T0 + timedelta(minutes=1), "e2"), uow)
    assert uow.records.held["f1"].wins == 4


def test_the_same_version_again_as_a_replay_or_redelivery_sends_it_changes_nothing():
    uow = FakeUnitOfWork()
    stats_replica.record_published(record(3, T0), uow)
    assert not stats_replica.record_published(record(3, T0, "replayed-event"), uow)
    assert uow.records.held["f1"] == record(3, T0)


def test_an_older_version_arriving_late_never_overwrites_a_newer_one():
    uow = FakeUnitOfWork()
    stats_replica.record_published(record(4, T0 + timedelta(minutes=1)), uow)
    assert not stats_replica.record_published(record(3, T0, "late"), uow)
    assert uow.records.held["f1"].wins == 4


def test_a_ranking_is_replaced_whole_by_a_newer_one_and_kept_against_an_older_one():
    uow = FakeUnitOfWork()
    first = RankingCopy("lightweight", (RankedCopy("f1", 1, 1600.0), RankedCopy("f2", 2, 1550.0)), T0, "r1")
    newer = RankingCopy("lightweight", (RankedCopy("f2", 1, 1610.0),), T0 + timedelta(hours=1), "r2")
    assert stats_replica.ranking_published(first, uow)
    assert stats_replica.ranking_published(newer, uow)
    assert not stats_replica.ranking_published(first, uow)  # replayed, older
    assert uow.rankings.held["lightweight"] == newer  # f1 is no longer ranked there
