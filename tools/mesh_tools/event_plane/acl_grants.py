"""The catalog's active read grants, as the ACL reconciler's desired state (``GET /api/v1/grants``, every page).

The reconciler reads them with a token of its own client (one holding ``admin:catalog``, which sees every grant);
the catalog never calls the broker and never holds Kafka credentials.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from mesh_tools.event_plane.acl_reconciler import GrantsUnavailable, ReadGrantRecord

GRANTS_PATH = "/api/v1/grants"
PAGE_SIZE = 1000
MAX_PAGES = 1000
# read:<domain>.<product>.v<major> names the topic <domain>.<product>.v<major> (DESIGN §4 and §5).
_READ_SCOPE = re.compile(r"^read:(?P<topic>[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*)$")


def topic_of_read_scope(scope: str) -> str | None:
    """The topic a ``read:`` scope opens, or None for any other scope."""
    match = _READ_SCOPE.match(scope)
    return match.group("topic") if match else None


class CatalogGrants:
    """Active read grants from the catalog's grants API (all pages, following ``Link: rel="next"``).

    ``auth`` is an ``httpx.Auth`` (a :class:`~mesh_platform.auth.client_credentials.ClientCredentials`) whose
    tokens hold ``admin:catalog``. A page that cannot be read makes the whole answer :class:`GrantsUnavailable`:
    the reconciler never acts on a partial list (it would remove ACLs of grants it did not see).
    """

    def __init__(self, catalog_url: str, auth: httpx.Auth | None, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.catalog_url = catalog_url.rstrip("/")
        self._http = httpx.Client(base_url=self.catalog_url, auth=auth, timeout=timeout, transport=transport)

    def read_grants(self) -> list[ReadGrantRecord]:
        grants: list[ReadGrantRecord] = []
        url: str | None = f"{GRANTS_PATH}?limit={PAGE_SIZE}"
        for _ in range(MAX_PAGES):
            if url is None:
                return grants
            items, url = self._page(url)
            grants += [grant for item in items if (grant := _read_grant(item)) is not None]
        raise GrantsUnavailable(f"more than {MAX_PAGES} pages of grants at {self.catalog_url}{GRANTS_PATH}")

    def close(self) -> None:
        self._http.close()

    def _page(self, url: str) -> tuple[list[dict[str, Any]], str | None]:
        """One page of grants and the URL of the next one (None on the last page)."""
        try:
            response = self._http.get(url)
        except Exception as e:  # transport errors, and a token that cannot be had
            raise GrantsUnavailable(f"the catalog at {self.catalog_url} did not answer: {type(e).__name__}: {e}") from e
        if response.status_code != 200:
            raise GrantsUnavailable(
                f"GET {url} answered {response.status_code} (the reconciler's client needs admin:catalog): "
                f"{response.text[:200]}"
            )
        body = response.json()
        if not isinstance(body, list):
            raise GrantsUnavailable(f"GET {url} did not answer a list of grants")
        next_link = response.links.get("next")
        return body, (next_link["url"] if next_link else None)


def _read_grant(item: dict[str, Any]) -> ReadGrantRecord | None:
    if item.get("revoked_at"):
        return None
    topic = topic_of_read_scope(str(item.get("scope", "")))
    if topic is None:
        return None
    return ReadGrantRecord(principal=str(item["client_id"]), topic=topic, grant_id=item.get("id"),
                           granted_by=item.get("granted_by"))
