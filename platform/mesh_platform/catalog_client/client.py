"""A small HTTP client of the catalog API for services: register contracts, report consumers, request access.

Every call carries the service's own access token (``auth``, its :class:`ClientCredentials`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx

ConsumerKind = Literal["subscription", "http"]


class CatalogUnavailable(Exception):
    """The catalog could not be reached or failed (connection refused, timeout, 5xx): try again later."""


class RegistrationRefused(Exception):
    """The catalog refused a registration; ``verdict`` holds every policy with its reasons."""

    def __init__(self, verdict: dict[str, Any]) -> None:
        self.verdict = verdict
        reasons = [
            f"{policy['policy']}: {reason}"
            for policy in verdict.get("policies", [])
            if not policy.get("passed")
            for reason in policy.get("reasons", [])
        ]
        self.reasons = reasons
        super().__init__("; ".join(reasons) or "refused")


class NotYet(CatalogUnavailable):
    """The catalog cannot take this request yet (what it refers to is not registered yet): ask again later."""


class CatalogRequestRejected(Exception):
    """The catalog answered 4xx to a request it should have accepted (a bug on the caller's side)."""


@dataclass(frozen=True)
class RegistrationReply:
    """What the catalog did with a registration: ``created``, ``updated`` or ``unchanged``, and its verdict."""

    outcome: str
    verdict: dict[str, Any]
    product: dict[str, Any] | None


class CatalogClient:
    """Talks to the catalog at ``catalog_url`` (``http://127.0.0.1:8000`` by default in the mesh)."""

    def __init__(
        self, catalog_url: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.catalog_url = catalog_url.rstrip("/")
        self._http = httpx.Client(base_url=self.catalog_url, timeout=timeout, transport=transport, auth=auth)

    def register_contract(self, contract_document: dict[str, Any], service_url: str) -> RegistrationReply:
        """Register the product version ``contract_document`` defines, served by ``service_url``.

        :class:`RegistrationRefused` if governance refuses it; :class:`CatalogUnavailable` if the catalog is down.
        """
        response = self._post("/api/v1/data-products", {"contract": contract_document, "service_url": service_url})
        if response.status_code == 422 and "verdict" in _json(response):
            raise RegistrationRefused(_json(response)["verdict"])
        self._raise_for_rejection(response)
        body = response.json()
        return RegistrationReply(body["outcome"], body["verdict"], body.get("product"))

    def report_consumer(self, kind: ConsumerKind, consumer: str, domain: str, product: str, major: int) -> dict[str, Any]:
        """Tell the catalog that ``consumer`` (a consumer group or a token subject) consumes ``domain/product`` v``major``."""
        response = self._post(
            "/api/v1/consumers",
            {"kind": kind, "consumer": consumer, "domain": domain, "product": product, "major": major},
        )
        self._raise_for_rejection(response)
        result: dict[str, Any] = response.json()
        return result

    def request_access(self, domain: str, product: str, major: int, *, pii: bool, purpose: str) -> dict[str, Any]:
        """Ask the owner of ``domain/product`` for read access to major ``major`` (and its personal data if ``pii``).

        Idempotent: the catalog answers with the request already pending or approved for the same access.
        """
        response = self._post(
            "/api/v1/access-requests",
            {"domain": domain, "product": product, "major": major, "pii": pii, "purpose": purpose},
        )
        if response.status_code == 404:
            # Services start in any order: the owner has not registered the product yet. Ask again later.
            raise NotYet(f"{domain}/{product} v{major} is not registered with the catalog yet")
        self._raise_for_rejection(response)
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError as e:
            raise CatalogUnavailable(f"catalog at {self.catalog_url} unreachable: {type(e).__name__}: {e}") from e
        if response.status_code >= 500:
            raise CatalogUnavailable(f"catalog at {self.catalog_url} answered {response.status_code} to POST {path}")
        return response

    @staticmethod
    def _raise_for_rejection(response: httpx.Response) -> None:
        if response.status_code >= 400:
            detail = _json(response).get("detail") or response.text[:200]
            raise CatalogRequestRejected(f"{response.request.method} {response.request.url.path}: {response.status_code} {detail}")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
