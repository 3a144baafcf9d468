"""Reads the quality runs domains reported (stored OpenLineage events) for a product's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, or_, select

from catalog.adapters.tables import LineageEventRow
from catalog.domain.lineage_graph import job_node_id
from catalog.domain.quality_results import QualityResultRow, latest_results, quality_job_name

EVENTS = LineageEventRow.__table__  # type: ignore[attr-defined]
CROSS_PRODUCT_NAMESPACE = "octagon.quality"
"""Where the platform's cross-domain checks run (job ``octagon.quality`` / ``crosscheck.<name>``)."""


def product_quality(engine: Engine, domain: str, product: str, major: int, *, recent: int = 40) -> list[QualityResultRow]:
    """The latest result of every rule checked on ``product`` v``major`` (its own rules and cross-domain checks)."""
    namespace, name = f"octagon.{domain}", f"{product}.v{major}"
    own_job = job_node_id(namespace, quality_job_name(product, major))
    query = (
        select(EVENTS.c.payload)
        .where(or_(EVENTS.c.subject == own_job, EVENTS.c.subject.like(f"job:{CROSS_PRODUCT_NAMESPACE}:%")))
        .order_by(EVENTS.c.id.desc())
        .limit(recent)
    )
    with engine.connect() as connection:
        payloads: list[dict[str, Any]] = list(connection.execute(query).scalars())
    return latest_results(payloads, namespace, name)
