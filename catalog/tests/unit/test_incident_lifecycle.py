"""Incidents: new → acknowledged → resolved with a reason; auto-resolve after consecutive passes; the times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.domain.incidents import CheckOutcome, Incident, IncidentStatus, IncidentTransitionError

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def outcome(status: str, at: datetime, **extra) -> CheckOutcome:
    return CheckOutcome("roster", "fighters", 1, "fighters.stance:allowed", status, at, message=f"{status} run", **extra)


def test_a_failure_opens_a_new_incident_dated_from_the_last_pass():
    incident = Incident.open(outcome("failed", T0), T0 + timedelta(seconds=5), last_pass=T0 - timedelta(seconds=60))
    assert incident.status is IncidentStatus.NEW and incident.severity == "critical"
    assert incident.time_to_detect == 65.0
    assert [c.kind for c in incident.changes] == ["opened"]


def test_late_data_is_dated_from_the_oldest_waiting_event():
    began = T0 - timedelta(seconds=300)
    incident = Incident.open(outcome("breached", T0, began_at=began), T0, last_pass=T0 - timedelta(seconds=30))
    assert incident.time_to_detect == 300.0


def test_a_warned_rule_opens_a_warning():
    assert Incident.open(outcome("warned", T0), T0, None).severity == "warning"


def test_it_resolves_itself_after_the_configured_number_of_consecutive_passes():
    incident = Incident.open(outcome("failed", T0), T0, None)
    incident.passed(outcome("passed", T0 + timedelta(minutes=1)), T0 + timedelta(minutes=1), 2)
    incident.failed_again(outcome("failed", T0 + timedelta(minutes=2)), T0 + timedelta(minutes=2))
    incident.passed(outcome("passed", T0 + timedelta(minutes=3)), T0 + timedelta(minutes=3), 2)
    assert incident.is_open  # the streak started over after the second failure
    incident.passed(outcome("passed", T0 + timedelta(minutes=4)), T0 + timedelta(minutes=4), 2)
    assert incident.status is IncidentStatus.RESOLVED and incident.resolved_by == "catalog"
    assert incident.resolution == "the check passed 2 consecutive times"
    assert incident.time_to_repair == 240.0
    assert [c.kind for c in incident.changes] == ["opened", "passed", "failed-again", "passed", "passed", "resolved"]


def test_an_owner_acknowledges_then_resolves_with_a_reason():
    incident = Incident.open(outcome("failed", T0), T0, None)
    incident.acknowledge("roster-oncall", T0 + timedelta(minutes=1), "looking")
    with pytest.raises(IncidentTransitionError):
        incident.acknowledge("roster-oncall", T0 + timedelta(minutes=2))
    with pytest.raises(IncidentTransitionError, match="reason"):
        incident.resolve("roster-oncall", T0 + timedelta(minutes=2), "  ")
    incident.resolve("roster-oncall", T0 + timedelta(minutes=3), "bad import rolled back")
    assert (incident.acknowledged_by, incident.resolution) == ("roster-oncall", "bad import rolled back")
    with pytest.raises(IncidentTransitionError, match="already resolved"):
        incident.resolve("roster-oncall", T0 + timedelta(minutes=4), "again")


def test_time_to_notify_is_the_first_notification():
    incident = Incident.open(outcome("failed", T0), T0, None)
    assert incident.time_to_notify is None
    incident.mark_notified(T0 + timedelta(seconds=2), "webhook")
    incident.mark_notified(T0 + timedelta(seconds=9), "topic catalog.notifications.v1")
    assert incident.time_to_notify == 2.0
