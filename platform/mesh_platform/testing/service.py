"""Helpers for testing one domain service in-process against a real store."""

from __future__ import annotations

from typing import Any

from mesh_platform.auth.tokens import TokenIssuer
from mesh_platform.contracts import DataProductContract
from mesh_platform.settings import ServiceSettings


def bearer(settings: ServiceSettings, subject: str = "test-reader", scopes: tuple[str, ...] = ("read",)) -> dict[str, str]:
    """An ``Authorization`` header with a token the service accepts."""
    return {"Authorization": f"Bearer {TokenIssuer(settings.token_secret).issue(subject, list(scopes))}"}


def read_port_conforming(client: Any, contract: DataProductContract, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every record of a data-product port (all pages, then each item), each checked against ``contract``.

    Raises ``ContractViolation`` naming the path and the reason of the first record that does not conform.
    """
    records: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = client.get(contract.http_path, params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"items", "next_cursor"}
        records += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    for record in records:
        contract.validate_record(record)
        item = client.get(f"{contract.http_path}/{record[contract.key_field]}", headers=headers)
        assert item.status_code == 200, item.text
        contract.validate_record(item.json())
    return records
