"""Bearer tokens for data-product reads, and masking of personal data."""

from mesh_platform.auth.masking import mask_personal_data
from mesh_platform.auth.tokens import AccessToken, InvalidToken, TokenIssuer, pii_scope

__all__ = ["AccessToken", "InvalidToken", "TokenIssuer", "mask_personal_data", "pii_scope"]
