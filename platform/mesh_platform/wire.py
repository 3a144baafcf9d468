"""How values look in data-product records (HTTP ports and event data alike)."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands back naive ones; we only ever store UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_timestamp(moment: datetime) -> str:
    """RFC 3339 timestamp in UTC with a ``Z`` suffix, as the contracts' ``timestamp`` fields expect."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")
