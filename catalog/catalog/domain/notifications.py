"""Notifications to the people who depend on a product (pure): what is said, to whom, and how a webhook is signed.

Every notification is a CloudEvent (``source`` ``/catalog``, ``subject`` ``<domain>/<product>``) of one of the types
below, published on the catalog's notification topic and POSTed to matching webhooks. Its data names the
recipients: the product's known consumers (consumer groups and HTTP readers of the major), the products downstream
of it in lineage with their consumers, and the contract's ``support`` channels whose ``scope`` is
``notifications``.

Webhook requests are signed as Standard Webhooks do (``webhook-id``, ``webhook-timestamp`` and
``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`` keyed by the secret after ``whsec_``),
so a receiver checks them with any Standard Webhooks library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SOURCE = "/catalog"
TOPIC = "catalog.notifications.v1"
TYPES = {
    "incident.opened": "octagon.catalog.incident.opened.v1",
    "incident.acknowledged": "octagon.catalog.incident.acknowledged.v1",
    "incident.resolved": "octagon.catalog.incident.resolved.v1",
    "breaking-change": "octagon.catalog.product.breaking-change.v1",
    "deprecation": "octagon.catalog.product.deprecated.v1",
    "sunset": "octagon.catalog.product.sunset-announced.v1",
    "retired": "octagon.catalog.product.retired.v1",
}
SECRET_PREFIX = "whsec_"


@dataclass(frozen=True)
class Recipients:
    """Who a notification about a product major is for."""

    consumers: tuple[str, ...]
    downstream: tuple[Mapping[str, Any], ...]
    channels: tuple[Mapping[str, Any], ...]

    def names(self) -> set[str]:
        """Every consumer named, directly or downstream (what a webhook owner is matched against)."""
        found = set(self.consumers)
        for product in self.downstream:
            found.update(product.get("consumers") or ())
        return found

    def as_dict(self) -> dict[str, Any]:
        return {"consumers": list(self.consumers), "downstream": [dict(p) for p in self.downstream],
                "channels": [dict(c) for c in self.channels]}


def notification_channels(contract: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    """The contract's ``support`` channels with ``scope: notifications``."""
    return tuple(
        {key: channel.get(key) for key in ("channel", "tool", "url", "invitationUrl", "description") if channel.get(key)}
        for channel in contract.get("support") or []
        if isinstance(channel, Mapping) and str(channel.get("scope") or "").lower() == "notifications"
    )


def dataset_product(node_id: str) -> tuple[str, str, int] | None:
    """``(domain, product, major)`` of a product's lineage node id, else None."""
    kind, _, rest = node_id.partition(":")
    namespace, _, name = rest.partition(":")
    product, _, major = name.rpartition(".v")
    if kind != "dataset" or not namespace.startswith("octagon.") or not product or not major.isdigit():
        return None
    return namespace.removeprefix("octagon."), product, int(major)


def downstream_products(
    start: str, downstream_of: Callable[[str], Iterable[str]], *, cap: int = 500
) -> list[tuple[str, str, int]]:
    """Products downstream of lineage node ``start`` (through jobs), nearest first, visiting at most ``cap`` nodes."""
    seen, found = {start}, []
    queue = deque([start])
    while queue and len(seen) < cap:
        for node in downstream_of(queue.popleft()):
            if node in seen:
                continue
            seen.add(node)
            queue.append(node)
            product = dataset_product(node)
            if product is not None:
                found.append(product)
    return found


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header of ``body`` (Standard Webhooks, ``v1`` = HMAC-SHA256)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether a received webhook request carries a valid signature of ``secret`` (what a receiver does)."""
    try:
        expected = sign(secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    except (KeyError, ValueError):
        return False
    return any(hmac.compare_digest(expected, given) for given in headers.get("webhook-signature", "").split())
