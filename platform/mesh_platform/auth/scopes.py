"""The mesh's scopes: what a token may do, one product major or one domain at a time (no wildcard, no god scope).

* ``read:<domain>.<product>.v<major>`` — read one major version of one data product (its HTTP port; its topic);
* ``pii:<domain>.<product>`` — see that product's personal data unmasked (with a read scope);
* ``write:<domain>`` — run the domain's commands; for the catalog: register the domain's contracts, consumers
  and lineage;
* ``admin:<domain>`` — the domain's administrative routes (replay) and approving access to its products;
  ``admin:catalog`` administers the catalog itself (clients, any grant).
"""

from __future__ import annotations

import re

_NAME = r"[a-z][a-z0-9-]{0,62}"
SCOPE_PATTERN = re.compile(
    rf"^(read:{_NAME}\.{_NAME}\.v[1-9][0-9]{{0,3}}|pii:{_NAME}\.{_NAME}|write:{_NAME}|admin:{_NAME})$"
)
CATALOG_ADMIN_SCOPE = "admin:catalog"


def read_scope(domain: str, product: str, major: int) -> str:
    """The scope that reads major ``major`` of ``domain``'s ``product``."""
    return f"read:{domain}.{product}.v{major}"


def pii_scope(domain: str, product: str) -> str:
    """The scope that unmasks the personal data of ``domain``'s ``product``."""
    return f"pii:{domain}.{product}"


def write_scope(domain: str) -> str:
    """The scope of ``domain``'s commands (and of registering its contracts, consumers and lineage)."""
    return f"write:{domain}"


def admin_scope(domain: str) -> str:
    """The scope of ``domain``'s administrative routes and of deciding access requests for its products."""
    return f"admin:{domain}"


def is_scope(value: str) -> bool:
    """Whether ``value`` is one of the mesh's scope shapes (anything else, like ``*``, is never granted)."""
    return bool(SCOPE_PATTERN.match(value))
