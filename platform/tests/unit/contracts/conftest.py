"""Fixtures for the contract tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mesh_platform.contracts.loading import ContractRegistry

from .contract_documents import CONTRACTS_DIR, FIXTURES, SHARED_ODCS_SCHEMA, ContractDocuments, GitWorkTree


@pytest.fixture
def docs() -> ContractDocuments:
    return ContractDocuments()


@pytest.fixture(scope="session")
def shared_odcs_schema() -> dict[str, Any]:
    return json.loads(SHARED_ODCS_SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def asyncapi_schema() -> dict[str, Any]:
    return json.loads((FIXTURES / "asyncapi-3.0.0.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def work_tree(tmp_path: Path) -> GitWorkTree:
    return GitWorkTree(tmp_path / "repo")


@pytest.fixture(scope="session")
def registry() -> ContractRegistry:
    """The repository's contracts, loaded once."""
    return ContractRegistry.from_directory(CONTRACTS_DIR)
