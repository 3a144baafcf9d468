"""Tables of the catalog's trust features: incidents (with their append-only history), SLI samples and SLO status
changes, notifications waiting to go out, webhooks and their deliveries.

Defined once here; revision 0004 creates them from :func:`define_trust_tables`, so the migration and the code
cannot disagree about a column.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

_AT = sa.DateTime(timezone=True)


@dataclass(frozen=True)
class TrustTables:
    incidents: sa.Table
    incident_changes: sa.Table
    check_states: sa.Table
    slo_samples: sa.Table
    slo_status_changes: sa.Table
    notifications: sa.Table
    webhooks: sa.Table
    webhook_deliveries: sa.Table

    def all(self) -> list[sa.Table]:
        """In creation order (referenced tables first)."""
        return [self.incidents, self.incident_changes, self.check_states, self.slo_samples, self.slo_status_changes,
                self.notifications, self.webhooks, self.webhook_deliveries]


def define_trust_tables(metadata: sa.MetaData) -> TrustTables:
    """The trust tables on ``metadata``."""
    incidents = sa.Table(
        "incidents", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("major", sa.Integer, nullable=False),
        sa.Column("rule", sa.String(300), nullable=False),
        # Set while the incident is open, NULL once resolved: unique, so one open incident per product and rule
        # (NULLs are distinct on SQLite and PostgreSQL alike).
        sa.Column("open_key", sa.String(700), nullable=True, unique=True),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("opened_at", _AT, nullable=False, index=True),
        sa.Column("began_at", _AT, nullable=False),
        sa.Column("last_failure_at", _AT, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("consecutive_passes", sa.Integer, nullable=False),
        sa.Column("acknowledged_at", _AT, nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.Column("resolved_at", _AT, nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("notified_at", _AT, nullable=True),
        sa.Column("last_message", sa.Text, nullable=True),
        sa.Index("ix_incidents_product", "domain", "product", "major"),
    )
    incident_changes = sa.Table(
        "incident_changes", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False, index=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    check_states = sa.Table(
        "check_states", metadata,
        sa.Column("domain", sa.String(100), primary_key=True),
        sa.Column("product", sa.String(100), primary_key=True),
        sa.Column("major", sa.Integer, primary_key=True),
        sa.Column("rule", sa.String(300), primary_key=True),
        sa.Column("last_status", sa.String(20), nullable=False),
        sa.Column("last_ran_at", _AT, nullable=False),
        sa.Column("last_pass_at", _AT, nullable=True),
    )
    slo_samples = sa.Table(
        "slo_samples", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("major", sa.Integer, nullable=False),
        sa.Column("sli", sa.String(30), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("good", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("failed", sa.Boolean, nullable=False),
        sa.Index("ix_slo_samples_series", "domain", "product", "major", "sli", "at"),
    )
    slo_status_changes = sa.Table(
        "slo_status_changes", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("major", sa.Integer, nullable=False),
        sa.Column("sli", sa.String(30), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Index("ix_slo_status_changes_series", "domain", "product", "major", "sli", "at"),
    )
    notifications = sa.Table(
        "notifications", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False, index=True),
        sa.Column("at", _AT, nullable=False, index=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("incident_id", sa.Integer, nullable=True),
        sa.Column("published_at", _AT, nullable=True, index=True),
        sa.Column("webhooks_done_at", _AT, nullable=True, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    webhooks = sa.Table(
        "webhooks", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(200), nullable=False, index=True),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(100), nullable=True),
        sa.Column("product", sa.String(100), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    webhook_deliveries = sa.Table(
        "webhook_deliveries", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("notification_id", sa.Integer, sa.ForeignKey("notifications.id"), nullable=False, index=True),
        sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id"), nullable=False, index=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("response_status", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    return TrustTables(incidents, incident_changes, check_states, slo_samples, slo_status_changes, notifications,
                       webhooks, webhook_deliveries)
