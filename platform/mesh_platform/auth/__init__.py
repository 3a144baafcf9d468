"""Identity in the mesh: access tokens verified offline, scopes, a service's own client token, personal-data masking."""

from mesh_platform.auth.client_credentials import ClientCredentials, TokenUnavailable
from mesh_platform.auth.discovery import DiscoveryFailed, OidcDiscovery
from mesh_platform.auth.masking import PersonalData, mask_personal_data
from mesh_platform.auth.scopes import (
    CATALOG_ADMIN_SCOPE,
    admin_scope,
    is_scope,
    pii_scope,
    read_scope,
    write_scope,
)
from mesh_platform.auth.tokens import (
    AccessToken,
    DiscoveredKeys,
    InvalidToken,
    KeysUnavailable,
    StaticKeys,
    TokenVerifier,
)

__all__ = [
    "CATALOG_ADMIN_SCOPE",
    "AccessToken",
    "ClientCredentials",
    "DiscoveredKeys",
    "DiscoveryFailed",
    "InvalidToken",
    "KeysUnavailable",
    "OidcDiscovery",
    "PersonalData",
    "StaticKeys",
    "TokenUnavailable",
    "TokenVerifier",
    "admin_scope",
    "is_scope",
    "mask_personal_data",
    "pii_scope",
    "read_scope",
    "write_scope",
]
