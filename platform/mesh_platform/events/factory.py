"""Builds events that follow the mesh's naming conventions (DESIGN §5)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from mesh_platform.events.envelope import EventMessage


class EventFactory:
    """Creates :class:`EventMessage` objects for one domain.

    Topic ``<domain>.<product>.v<major>``, type ``octagon.<domain>.<entity>.<verb>.v<major>``, source
    ``/domains/<domain>`` and a dataschema pointing at the contract in the catalog.
    """

    def __init__(self, domain: str, catalog_url: str) -> None:
        self.domain = domain
        self.catalog_url = catalog_url.rstrip("/")

    def create(
        self, *, product: str, major: int, entity: str, verb: str, key: str, data: dict[str, Any]
    ) -> EventMessage:
        """A new event with a fresh id and the current time."""
        return EventMessage(
            id=str(uuid.uuid4()),
            type=f"octagon.{self.domain}.{entity}.{verb}.v{major}",
            source=f"/domains/{self.domain}",
            topic=f"{self.domain}.{product}.v{major}",
            key=key,
            time=datetime.now(UTC),
            data=data,
            dataschema=f"{self.catalog_url}/api/v1/data-products/{self.domain}/{product}/v{major}/contract",
        )
