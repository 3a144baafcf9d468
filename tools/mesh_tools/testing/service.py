"""Helpers for testing one domain service in-process against a real store."""

from __future__ import annotations

from typing import Any

from mesh_platform.auth.scopes import read_scope
from mesh_platform.contracts import ContractRegistry, DataProductContract, default_contracts_dir
from mesh_platform.settings import ServiceSettings
from mesh_tools.testing.authority import test_authority


def trusting_test_authority() -> dict[str, Any]:
    """Settings fields that make a service built in a test verify tokens of :func:`test_authority`."""
    return test_authority().settings()


def reader_scopes(settings: ServiceSettings) -> tuple[str, ...]:
    """The read scopes of every product major the service of ``settings`` (its ``service_name``) publishes."""
    registry = ContractRegistry.from_directory(settings.contracts_dir or default_contracts_dir())
    return tuple(
        read_scope(contract.domain, contract.product, contract.major)
        for contract in registry.for_domain(settings.service_name)
    )


def bearer(
    settings: ServiceSettings, subject: str = "test-reader", scopes: tuple[str, ...] | None = None
) -> dict[str, str]:
    """An ``Authorization`` header from the test authority; by default a reader of the service's own products.

    The service must have been built with :func:`trusting_test_authority` settings.
    """
    assert settings.oidc_jwks == test_authority().jwks_json, "build the service with trusting_test_authority()"
    return test_authority().bearer(subject, reader_scopes(settings) if scopes is None else scopes)


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
