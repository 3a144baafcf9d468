"""Incidents in the catalog's store: rows of ``incidents``, history appended to ``incident_changes`` (never updated)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

import sqlalchemy as sa
from sqlalchemy import Connection, RowMapping

from catalog.adapters.trust_tables import TrustTables
from catalog.domain.incidents import Incident, IncidentChange, IncidentStatus

_FIELDS = ("domain", "product", "major", "rule", "severity", "title", "opened_at", "began_at", "last_failure_at",
           "failures", "consecutive_passes", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
           "resolution", "notified_at", "last_message")


def open_key(domain: str, product: str, major: int, rule: str) -> str:
    return f"{domain}/{product}/v{major}/{rule}"


class SqlIncidentStore:
    """Reads and writes incidents on a connection the caller's transaction owns."""

    def __init__(self, tables: TrustTables) -> None:
        self.tables = tables

    def open_incident(self, connection: Connection, domain: str, product: str, major: int, rule: str) -> Incident | None:
        t = self.tables.incidents
        row = connection.execute(
            sa.select(t).where(t.c.open_key == open_key(domain, product, major, rule))
        ).mappings().first()
        return _incident(row) if row else None

    def get(self, connection: Connection, incident_id: int) -> Incident | None:
        t = self.tables.incidents
        row = connection.execute(sa.select(t).where(t.c.id == incident_id)).mappings().first()
        return _incident(row) if row else None

    def save(self, connection: Connection, incident: Incident) -> Incident:
        """Insert or update ``incident`` and append its new history entries (those it gathered since loaded)."""
        t = self.tables.incidents
        values: dict[str, Any] = {name: getattr(incident, name) for name in _FIELDS}
        values["status"] = incident.status.value
        values["open_key"] = (open_key(incident.domain, incident.product, incident.major, incident.rule)
                              if incident.is_open else None)
        if incident.id is None:
            incident.id = connection.execute(sa.insert(t).values(**values).returning(t.c.id)).scalar_one()
        else:
            connection.execute(sa.update(t).where(t.c.id == incident.id).values(**values))
        if incident.changes:
            connection.execute(sa.insert(self.tables.incident_changes), [
                {"incident_id": incident.id, "at": change.at, "kind": change.kind, "actor": change.actor,
                 "detail": change.detail} for change in incident.changes
            ])
            incident.changes = []
        return incident

    def history(self, connection: Connection, incident_id: int) -> list[IncidentChange]:
        c = self.tables.incident_changes
        rows = connection.execute(sa.select(c).where(c.c.incident_id == incident_id).order_by(c.c.id)).mappings()
        return [IncidentChange(_utc(row["at"]), row["kind"], row["actor"], dict(row["detail"] or {})) for row in rows]

    def list(
        self, connection: Connection, *, status: str | None = None, domain: str | None = None,
        product: str | None = None, open_only: bool = False, limit: int = 100,
    ) -> list[Incident]:
        t = self.tables.incidents
        query = sa.select(t).order_by(t.c.opened_at.desc(), t.c.id.desc()).limit(limit)
        if status:
            query = query.where(t.c.status == status)
        if open_only:
            query = query.where(t.c.open_key.is_not(None))
        if domain:
            query = query.where(t.c.domain == domain)
        if product:
            query = query.where(t.c.product == product)
        return [_incident(row) for row in connection.execute(query).mappings()]

    def last_pass(self, connection: Connection, domain: str, product: str, major: int, rule: str) -> datetime | None:
        s = self.tables.check_states
        found = connection.execute(sa.select(s.c.last_pass_at).where(
            s.c.domain == domain, s.c.product == product, s.c.major == major, s.c.rule == rule)).scalar()
        return _utc(found) if found else None

    def record_check(
        self, connection: Connection, domain: str, product: str, major: int, rule: str, status: str, ran_at: datetime
    ) -> None:
        s = self.tables.check_states
        key = (s.c.domain == domain, s.c.product == product, s.c.major == major, s.c.rule == rule)
        values: dict[str, Any] = {"last_status": status, "last_ran_at": ran_at}
        if status == "passed":
            values["last_pass_at"] = ran_at
        if connection.execute(sa.update(s).where(*key).values(**values)).rowcount == 0:
            connection.execute(sa.insert(s).values(domain=domain, product=product, major=major, rule=rule,
                                                   last_pass_at=values.get("last_pass_at"), **{
                                                       k: v for k, v in values.items() if k != "last_pass_at"}))

    def figures(self, connection: Connection) -> dict[str, Any]:
        """Open incidents by status, and mean times to detect, notify and repair over the last 200 incidents."""
        t = self.tables.incidents
        open_counts: dict[str, int] = dict(connection.execute(
            sa.select(t.c.status, sa.func.count()).where(t.c.open_key.is_not(None)).group_by(t.c.status)).all())
        recent = [_incident(row) for row in connection.execute(
            sa.select(t).order_by(t.c.id.desc()).limit(200)).mappings()]
        return {"open": {status.value: int(open_counts.get(status.value, 0)) for status in IncidentStatus
                         if status is not IncidentStatus.RESOLVED},
                "meanTimeToDetectSeconds": _mean([i.time_to_detect for i in recent]),
                "meanTimeToNotifySeconds": _mean([i.time_to_notify for i in recent]),
                "meanTimeToRepairSeconds": _mean([i.time_to_repair for i in recent])}


def _mean(values: list[float | None]) -> float | None:
    found = [value for value in values if value is not None]
    return round(sum(found) / len(found), 3) if found else None


@overload
def _utc(moment: datetime) -> datetime: ...


@overload
def _utc(moment: None) -> None: ...


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _incident(row: RowMapping) -> Incident:
    times = {name: _utc(row[name]) for name in ("opened_at", "began_at", "last_failure_at", "acknowledged_at",
                                                "resolved_at", "notified_at")}
    return Incident(
        domain=row["domain"], product=row["product"], major=row["major"], rule=row["rule"],
        severity=row["severity"], status=IncidentStatus(row["status"]), title=row["title"],
        failures=row["failures"], consecutive_passes=row["consecutive_passes"],
        acknowledged_by=row["acknowledged_by"], resolved_by=row["resolved_by"], resolution=row["resolution"],
        last_message=row["last_message"], id=row["id"], **times,
    )
