"""Revision 0002 turns the fighter replica's text versions into moments without changing what any row holds."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import schedule
from mesh_platform.domain_api import as_utc

pytestmark = pytest.mark.integration

MIGRATIONS = Path(schedule.__file__).parent / "migrations"


def migrate(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_text_versions_become_the_instants_they_name_and_go_back_as_utc_text(store_url):
    engine = sa.create_engine(store_url)
    migrate(engine, "0001")
    with engine.begin() as connection:
        for fighter_id, version in (("a", "2026-01-01T10:00:00.5+02:00"), ("b", "2026-01-01T08:00:00Z")):
            connection.execute(sa.text(
                "INSERT INTO fighter_replica (fighter_id, name, weight_class, status, version) "
                "VALUES (:id, 'F', 'lightweight', 'active', :version)"), {"id": fighter_id, "version": version})

    migrate(engine, "head")

    replica = sa.Table("fighter_replica", sa.MetaData(), autoload_with=engine)
    assert isinstance(replica.c.version.type, sa.DateTime) and not replica.c.version.nullable
    with engine.connect() as connection:
        versions = dict(connection.execute(sa.select(replica.c.fighter_id, replica.c.version)).all())
    assert as_utc(versions["a"]) == datetime(2026, 1, 1, 8, 0, 0, 500000, tzinfo=UTC)
    assert as_utc(versions["b"]) == datetime(2026, 1, 1, 8, 0, 0, tzinfo=UTC)
    assert as_utc(versions["b"]) < as_utc(versions["a"])  # compared as instants ("…00.5Z" sorted first as text)

    migrate(engine, "0001", down=True)

    with engine.connect() as connection:
        texts = dict(connection.execute(sa.text("SELECT fighter_id, version FROM fighter_replica")).all())
    assert datetime.fromisoformat(texts["a"]) == datetime(2026, 1, 1, 8, 0, 0, 500000, tzinfo=UTC)
    assert texts["b"] == "2026-01-01T08:00:00Z"
    engine.dispose()
