"""the fighter replica's version is a moment (roster's updated_at), as in every domain's replica

Revision ID: 0002
Revises: 0001

0001 kept the version as roster's RFC 3339 text. Each stored version is carried over as the instant it names, so no
replica row changes what it holds, and the downgrade writes them back as the same RFC 3339 UTC text.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from mesh_platform.domain_api import as_utc, utc_timestamp

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TEXT = sa.String(40)
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    _retype(TEXT, MOMENT, lambda text: as_utc(datetime.fromisoformat(text)))


def downgrade() -> None:
    _retype(MOMENT, TEXT, utc_timestamp)


def _retype(old: sa.types.TypeEngine[Any], new: sa.types.TypeEngine[Any], convert: Callable[[Any], Any]) -> None:
    """Replace ``fighter_replica.version`` by a column of type ``new`` holding each row's converted value."""
    with op.batch_alter_table("fighter_replica") as batch:
        batch.add_column(sa.Column("version_new", new, nullable=True))
    replica = sa.table(
        "fighter_replica", sa.column("fighter_id", sa.String(36)), sa.column("version", old), sa.column("version_new", new)
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(replica.c.fighter_id, replica.c.version)).all()
    if rows:
        bind.execute(
            sa.update(replica)
            .where(replica.c.fighter_id == sa.bindparam("key"))
            .values(version_new=sa.bindparam("value", type_=new)),
            [{"key": fighter_id, "value": convert(version)} for fighter_id, version in rows],
        )
    with op.batch_alter_table("fighter_replica") as batch:
        batch.drop_column("version")
        batch.alter_column("version_new", new_column_name="version", existing_type=new, nullable=False)

