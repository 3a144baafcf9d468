"""Wiring of the catalog's authorization server and token verification (kept out of app.py to keep it small)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Engine

from catalog.adapters.signing_key import load_signing_key
from catalog.service.access import AccessService
from catalog.service.registry import RegistryService
from catalog.settings import CatalogSettings
from mesh_platform.auth.discovery import OidcDiscovery
from mesh_platform.auth.tokens import DiscoveredKeys, StaticKeys, TokenVerifier
from mesh_platform.errors import NotFound
from mesh_platform.http.bearer import Authorizer

CLIENTS_FILE_ACTOR = "clients file"


def build_access(settings: CatalogSettings, engine: Engine, registry: RegistryService) -> tuple[AccessService, Authorizer]:
    """The token-issuing service (signing with the catalog's key) and the verifier of incoming tokens.

    When the mesh's issuer is another OIDC provider (``MESH_OIDC_ISSUER``), the catalog verifies its tokens from
    that provider's JWKS like every other service; otherwise it is the issuer and verifies with its own public key.
    """
    key = load_signing_key(settings.signing_key_file, settings.run_dir, production=settings.environment == "prod")
    own_issuer = settings.base_url.rstrip("/")

    def products_of(domain: str) -> list[tuple[str, int]]:
        products, _ = registry.products({"domain": domain})
        return [(p.product, major) for p in products for major in p.versions]

    def product_exists(domain: str, product: str, major: int) -> bool:
        try:
            registry.version(domain, product, major)
        except NotFound:
            return False
        return True

    access = AccessService(
        engine, key, issuer=own_issuer, audience=settings.oidc_audience,
        token_lifetime=timedelta(seconds=settings.token_lifetime_seconds),
        products_of=products_of, product_exists=product_exists,
    )
    keys: StaticKeys | DiscoveredKeys
    if settings.oidc_jwks:
        keys = StaticKeys(settings.oidc_jwks)
    elif settings.oidc_issuer and settings.issuer != own_issuer:
        keys = DiscoveredKeys(OidcDiscovery(settings.issuer))
    else:
        keys = StaticKeys(key.jwks)
    verifier = TokenVerifier(keys, issuer=settings.issuer if settings.oidc_issuer else own_issuer,
                             audience=settings.oidc_audience)
    return access, Authorizer(verifier)


def register_clients_file(settings: CatalogSettings, access: AccessService) -> None:
    """Register the clients of ``CATALOG_CLIENTS_FILE`` (``mesh up`` writes it), if configured."""
    if settings.clients_file is None:
        return
    entries = json.loads(settings.clients_file.read_text())["clients"]
    access.register_clients(entries, production=settings.environment == "prod", actor=CLIENTS_FILE_ACTOR)
