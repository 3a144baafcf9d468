"""The catalog's token-signing key (Ed25519): only the catalog holds it; services see its public half (JWKS).

Given by ``CATALOG_SIGNING_KEY_FILE`` (PEM, PKCS#8). In dev, a missing key is generated into the run directory with
0600 permissions; with ``MESH_ENV=prod`` the catalog refuses to start without a configured key.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

GENERATED_KEY_FILE = "catalog-signing-key.pem"


class SigningKeyMissing(Exception):
    """Production needs a configured signing key."""


class SigningKey:
    """An Ed25519 private key with its key id (a thumbprint of the public key) and public JWK."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self.private_key = private_key
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private_key.public_key()))
        self.kid = hashlib.sha256(public["x"].encode()).hexdigest()[:16]
        self.public_jwk: dict[str, Any] = {**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})


def load_signing_key(configured: Path | None, run_dir: Path, *, production: bool) -> SigningKey:
    """The configured key; in dev, the run directory's key (generated 0600 when absent)."""
    if configured is None and production:
        raise SigningKeyMissing("CATALOG_SIGNING_KEY_FILE must name an Ed25519 private key (PEM) when MESH_ENV=prod")
    path = configured or run_dir / GENERATED_KEY_FILE
    if not path.exists():
        if configured is not None:
            raise SigningKeyMissing(f"CATALOG_SIGNING_KEY_FILE {path} does not exist")
        _write_private(path, Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} is not an Ed25519 private key")
    return SigningKey(key)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
