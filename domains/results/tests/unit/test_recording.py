from datetime import UTC, date, datetime, timedelta

import pytest

from results.domain.events import ResultRecorded
from results.domain.exceptions import BoutNotFound, BoutNotScheduled, InvalidResult, ResultAlreadyRecorded
from results.domain.model import BoutSnapshot, Method, Outcome, ResultReport
from results.domain.scorecards import JudgeScore
from results.service import handlers

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
RED, BLUE = "red-1", "blue-1"


class FakeResultRepository:
    def __init__(self) -> None:
        self.results: dict = {}

    def get(self, bout_id):
        return self.results.get(bout_id)

    def add(self, result):
        self.results[result.bout_id] = result


class FakeBoutReplica:
    def __init__(self) -> None:
        self.bouts: dict = {}

    def get(self, bout_id):
        return self.bouts.get(bout_id, (None,))[0]

    def upsert(self, bout, version):
        current = self.bouts.get(bout.bout_id)
        if current is None or current[1] <= version:
            self.bouts[bout.bout_id] = (bout, version)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.results = FakeResultRepository()
        self.bouts = FakeBoutReplica()
        self.events: list = []

    def record(self, event):
        self.events.append(event)


class FakeDirectory:
    def __init__(self, known=()) -> None:
        self.known = {bout.bout_id: bout for bout in known}

    def find(self, bout_id):
        bout = self.known.get(bout_id)
        return (bout, datetime(2026, 1, 1, tzinfo=UTC)) if bout else None


NOWHERE = FakeDirectory()
V1 = datetime(2026, 10, 1, tzinfo=UTC)


def bout(bout_id="b-3", rounds=3, **changes) -> BoutSnapshot:
    values = dict(bout_id=bout_id, card_id="c-1", card_date=date(2026, 11, 21), red_fighter_id=RED,
                  blue_fighter_id=BLUE, weight_class="lightweight", scheduled_rounds=rounds, status="scheduled")
    values.update(changes)
    return BoutSnapshot(**values)


@pytest.fixture
def uow():
    uow = FakeUnitOfWork()
    uow.bouts.upsert(bout("b-3", rounds=3), V1)
    uow.bouts.upsert(bout("b-5", rounds=5), V1)
    return uow


def cards(*totals) -> tuple[JudgeScore, ...]:
    return tuple(JudgeScore(judge=f"Judge {index}", red=red, blue=blue) for index, (red, blue) in enumerate(totals))


def report(outcome="win", winner=RED, method="KO/TKO", round=2, time="3:27", scores=None) -> ResultReport:
    return ResultReport(outcome=Outcome(outcome), winner_fighter_id=winner, method=Method(method), round=round,
                        time=time, judges_scores=scores)


def decision(method="DEC-U", winner=RED, scores=cards((29, 28), (29, 28), (30, 27)), outcome="win", rounds=3):
    return report(outcome, winner, method, rounds, "5:00", scores)


def record(uow, result_report, bout_id="b-3", directory=NOWHERE, now=NOW):
    return handlers.record_bout_result(bout_id, result_report, uow, directory, now)


def refusal(uow, result_report, bout_id="b-3", **kwargs) -> InvalidResult:
    with pytest.raises(InvalidResult) as refused:
        record(uow, result_report, bout_id, **kwargs)
    return refused.value


def test_knockout_win_is_recorded_with_the_bouts_facts_and_announced(uow):
    result = record(uow, report())
    assert (result.card_id, result.bout_date, result.weight_class) == ("c-1", date(2026, 11, 21), "lightweight")
    assert (result.winner_fighter_id, result.method, result.round, result.time) == (RED, Method.KO_TKO, 2, "3:27")
    assert result.judges_scores is None
    assert uow.results.get("b-3") == result
    assert uow.events == [ResultRecorded(result)]


def test_result_refused_when_the_bout_is_unknown_to_replica_and_schedule(uow):
    with pytest.raises(BoutNotFound) as refused:
        record(uow, report(), bout_id="ghost")
    assert refused.value.field == "bout_id"


def test_bout_not_yet_replicated_is_found_through_schedule(uow):
    newcomer = bout("b-new")
    result = record(uow, report(), bout_id="b-new", directory=FakeDirectory([newcomer]))
    assert result.bout_id == "b-new"
    assert uow.bouts.get("b-new") == newcomer


def test_result_is_recorded_once(uow):
    record(uow, report())
    with pytest.raises(ResultAlreadyRecorded) as refused:
        record(uow, report(winner=BLUE))
    assert refused.value.field == "bout_id"
    assert len(uow.events) == 1


def test_cancelled_bout_takes_no_result(uow):
    uow.bouts.upsert(bout("b-3", status="cancelled"), V1 + timedelta(days=1))
    with pytest.raises(BoutNotScheduled, match="cancelled") as refused:
        record(uow, report())
    assert refused.value.field == "bout_id"


@pytest.mark.parametrize("card_date", [TODAY, TODAY + timedelta(days=30)])
def test_result_refused_when_card_date_has_not_passed(uow, card_date):
    uow.bouts.upsert(bout("b-3", card_date=card_date), V1 + timedelta(days=1))
    refused = refusal(uow, report())
    assert refused.field == "bout_id" and "after the card date" in refused.reason


def test_win_needs_a_winner(uow):
    assert refusal(uow, report(winner=None)).field == "winner_fighter_id"


def test_winner_must_be_one_of_the_two_fighters(uow):
    refused = refusal(uow, report(winner="someone-else"))
    assert refused.field == "winner_fighter_id" and "not in this bout" in refused.reason


@pytest.mark.parametrize("result_report", [
    decision("DEC-U", winner=RED, outcome="draw", scores=cards((28, 28), (28, 28), (28, 28))),
    report("no_contest", winner=BLUE, method="NC"),
])
def test_draw_and_no_contest_have_no_winner(uow, result_report):
    assert refusal(uow, result_report).field == "winner_fighter_id"


@pytest.mark.parametrize("outcome, winner, method", [
    ("draw", None, "KO/TKO"), ("draw", None, "NC"), ("no_contest", None, "SUB"), ("no_contest", None, "DEC-U"),
    ("win", RED, "NC"),
])
def test_method_must_fit_the_outcome(uow, outcome, winner, method):
    assert refusal(uow, report(outcome, winner, method)).field == "method"


@pytest.mark.parametrize("method", ["KO/TKO", "SUB", "DQ"])
def test_wins_inside_the_distance_are_recorded_with_any_finishing_method(uow, method):
    assert record(uow, report(method=method, round=1, time="0:45")).method == Method(method)


def test_no_contest_is_recorded_without_winner_or_scorecards(uow):
    result = record(uow, report("no_contest", None, "NC", round=1, time="1:10"))
    assert (result.outcome, result.winner_fighter_id, result.judges_scores) == (Outcome.NO_CONTEST, None, None)


def test_round_cannot_exceed_the_scheduled_rounds(uow):
    assert refusal(uow, report(round=4)).field == "round"
    assert record(uow, report(round=4), bout_id="b-5").round == 4


def test_round_starts_at_one(uow):
    assert refusal(uow, report(round=0)).field == "round"


@pytest.mark.parametrize("time", ["0:00", "5:01", "6:00", "3:7", "13:00", "abc", ""])
def test_time_must_be_m_ss_between_0_01_and_5_00(uow, time):
    assert refusal(uow, report(time=time)).field == "time"


@pytest.mark.parametrize("time", ["0:01", "5:00"])
def test_time_limits_are_inclusive(uow, time):
    assert record(uow, report(time=time)).time == time


def test_decision_ends_in_the_last_scheduled_round(uow):
    early = report(method="DEC-U", round=2, time="5:00", scores=cards((20, 18), (20, 18), (20, 18)))
    assert refusal(uow, early).field == "round"
    assert refusal(uow, decision(rounds=3), bout_id="b-5").field == "round"


def test_decision_ends_at_five_minutes(uow):
    assert refusal(uow, report(method="DEC-U", round=3, time="4:59",
                               scores=cards((29, 28), (29, 28), (29, 28)))).field == "time"


@pytest.mark.parametrize("scores", [None, cards((29, 28), (29, 28)), cards((29, 28),) * 4])
def test_decision_needs_exactly_three_judges_totals(uow, scores):
    refused = refusal(uow, decision(scores=scores))
    assert refused.field == "judges_scores" and "exactly 3" in refused.reason


def test_three_different_judges_score_a_bout(uow):
    same = (JudgeScore(judge="Ana Ruiz", red=29, blue=28), JudgeScore(judge="Tom Hale", red=29, blue=28), JudgeScore(judge="ana ruiz", red=30, blue=27))
    assert refusal(uow, decision(scores=same)).field == "judges_scores.2.judge"


@pytest.mark.parametrize("totals, field", [
    ((31, 28), "judges_scores.1.red"),   # more than ten a round
    ((29, 20), "judges_scores.1.blue"),  # less than seven a round
    ((24, 21), "judges_scores.1"),       # within range, but no round could have had a ten on one side
])
def test_judge_totals_must_be_possible_on_the_ten_point_must_system(uow, totals, field):
    refused = refusal(uow, decision(scores=cards((29, 28), totals, (29, 28))))
    assert refused.field == field


def test_five_round_decisions_are_scored_over_five_rounds(uow):
    result = record(uow, decision(scores=cards((48, 47), (49, 46), (50, 45)), rounds=5), bout_id="b-5")
    assert [score.red for score in result.judges_scores] == [48, 49, 50]

    uow.bouts.upsert(bout("b-5-next", rounds=5), V1)
    three_round_cards = cards((29, 28), (29, 28), (29, 28))
    assert refusal(uow, decision(scores=three_round_cards, rounds=5), bout_id="b-5-next").field == "judges_scores.0.red"


def test_unanimous_decision_needs_all_three_judges_for_the_winner(uow):
    refused = refusal(uow, decision("DEC-U", scores=cards((29, 28), (28, 29), (29, 28))))
    assert refused.field == "judges_scores" and "2 for the winner, 1 for the loser" in refused.reason
    assert record(uow, decision("DEC-U", winner=BLUE, scores=cards((27, 30), (28, 29), (28, 29)))).method \
        == Method.UNANIMOUS_DECISION


def test_split_decision_needs_two_judges_for_the_winner_and_one_for_the_loser(uow):
    assert refusal(uow, decision("DEC-S", scores=cards((29, 28), (29, 28), (29, 28)))).field == "judges_scores"
    assert refusal(uow, decision("DEC-S", scores=cards((29, 28), (28, 28), (28, 29)))).field == "judges_scores"
    assert record(uow, decision("DEC-S", scores=cards((29, 28), (28, 29), (29, 28)))).method == Method.SPLIT_DECISION


def test_split_decision_for_blue_counts_cards_from_blues_side(uow):
    assert refusal(uow, decision("DEC-S", winner=BLUE, scores=cards((29, 28), (28, 29), (29, 28)))).field \
        == "judges_scores"
    assert record(uow, decision("DEC-S", winner=BLUE, scores=cards((28, 29), (29, 28), (28, 29)))).winner_fighter_id \
        == BLUE


def test_majority_decision_needs_two_judges_for_the_winner_and_one_even(uow):
    assert refusal(uow, decision("DEC-M", scores=cards((29, 28), (28, 29), (28, 28)))).field == "judges_scores"
    assert record(uow, decision("DEC-M", scores=cards((29, 28), (28, 28), (29, 28)))).method \
        == Method.MAJORITY_DECISION


def test_unanimous_draw_needs_all_three_judges_even(uow):
    draw = dict(outcome="draw", winner=None)
    assert refusal(uow, decision("DEC-U", scores=cards((28, 28), (28, 28), (29, 28)), **draw)).field \
        == "judges_scores"
    assert record(uow, decision("DEC-U", scores=cards((28, 28), (29, 29), (27, 27)), **draw)).outcome is Outcome.DRAW


def test_split_draw_needs_one_judge_for_each_fighter_and_one_even(uow):
    draw = dict(outcome="draw", winner=None)
    assert refusal(uow, decision("DEC-S", scores=cards((29, 28), (29, 28), (28, 28)), **draw)).field \
        == "judges_scores"
    assert record(uow, decision("DEC-S", scores=cards((29, 28), (28, 29), (28, 28)), **draw)).method \
        == Method.SPLIT_DECISION


@pytest.mark.parametrize("one_way", [(29, 28), (28, 29)])
def test_majority_draw_needs_two_judges_even_and_one_for_either_fighter(uow, one_way):
    draw = dict(outcome="draw", winner=None)
    assert refusal(uow, decision("DEC-M", scores=cards((29, 28), (28, 29), (28, 28)), **draw)).field \
        == "judges_scores"
    assert record(uow, decision("DEC-M", scores=cards(one_way, (28, 28), (29, 29)), **draw)).method \
        == Method.MAJORITY_DECISION


@pytest.mark.parametrize("method", ["KO/TKO", "SUB", "DQ"])
def test_finishes_carry_no_scorecards(uow, method):
    refused = refusal(uow, report(method=method, scores=cards((20, 18), (20, 18), (20, 18))))
    assert refused.field == "judges_scores" and "only decisions" in refused.reason


def test_replica_never_goes_back_to_an_older_state(uow):
    handlers.bout_published(bout("b-3", status="cancelled"), V1 + timedelta(hours=2), uow)
    handlers.bout_published(bout("b-3", status="scheduled"), V1 + timedelta(hours=1), uow)
    assert uow.bouts.get("b-3").status == "cancelled"


def test_recorded_at_is_the_injected_clocks_now(uow):
    assert record(uow, report()).recorded_at == NOW


def test_the_card_date_rule_reads_the_clocks_date(uow):
    day_of_the_card = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert refusal(uow, report(), now=day_of_the_card).field == "bout_id"
