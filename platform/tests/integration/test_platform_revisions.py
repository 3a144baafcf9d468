"""The platform's later tables (quality holds, metric history) are Alembic revisions of their own, in every store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect, select, text

from mesh_platform.quality.holds import HOLDS
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import PLATFORM_VERSION_TABLE, upgrade_platform_tables

pytestmark = pytest.mark.integration


def test_a_new_store_gets_the_quality_tables_at_the_platform_head_revision(store_url):
    engine = create_store_engine(store_url)
    upgrade_platform_tables(engine)
    upgrade_platform_tables(engine)  # a restart finds nothing to do

    tables = set(inspect(engine).get_table_names())
    assert {"quality_holds", "quality_metric_history", PLATFORM_VERSION_TABLE} <= tables
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT version_num FROM {PLATFORM_VERSION_TABLE}")).scalars().all() == [
            "platform_0001"
        ]
    engine.dispose()


def test_a_store_whose_holds_table_predates_alembic_keeps_its_holds(store_url):
    engine = create_store_engine(store_url)
    HOLDS.create(engine)  # as start-up created it before the revision existed
    with engine.begin() as connection:
        connection.execute(insert(HOLDS).values(
            outbox_id=7, event_id="e-7", event_type="t", topic="roster.fighters.v1", message_key="k", action="block",
            rules=["fighters:r"], reason="kept", status="held", held_at=datetime.now(UTC),
        ))

    upgrade_platform_tables(engine)

    with engine.connect() as connection:
        assert connection.execute(select(HOLDS.c.event_id, HOLDS.c.reason)).all() == [("e-7", "kept")]
    assert "quality_metric_history" in inspect(engine).get_table_names()
    engine.dispose()
