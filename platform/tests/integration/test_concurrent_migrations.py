"""Instances of one service starting at once on a shared PostgreSQL store migrate it once, without failing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect

from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store

pytestmark = pytest.mark.integration

ENV = """
from sqlalchemy import MetaData
from mesh_platform.store.migrations import run_migrations
run_migrations(MetaData())
"""

REVISION = '''
import time
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

def upgrade():
    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True))
    time.sleep(0.5)  # a slow migration: the other instance starts meanwhile

def downgrade():
    op.drop_table("things")
'''


def test_two_instances_starting_together_migrate_the_shared_store_once(postgres_url, tmp_path: Path):
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True)
    (migrations / "env.py").write_text(ENV)
    (migrations / "versions" / "0001_things.py").write_text(REVISION)
    failures: list[BaseException] = []

    def start_instance() -> None:
        engine = create_store_engine(postgres_url)
        try:
            upgrade_store(engine, migrations)
        except BaseException as e:
            failures.append(e)
        finally:
            engine.dispose()

    instances = [threading.Thread(target=start_instance) for _ in range(3)]
    for instance in instances:
        instance.start()
    for instance in instances:
        instance.join(60)
    assert failures == []
    engine = create_store_engine(postgres_url)
    assert {"things", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()
