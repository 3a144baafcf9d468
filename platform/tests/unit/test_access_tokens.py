"""Offline verification refuses every token the mesh's issuer did not sign for this audience, with a reason."""

from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mesh_platform.auth import InvalidToken
from mesh_tools.testing.authority import OMIT, TestAuthority, test_authority


def verify(token):
    return test_authority().verifier().verify(token)


def test_a_token_of_the_issuer_grants_exactly_its_scopes():
    granted = verify(test_authority().token("analyst", ["read:roster.fighters.v1", "pii:roster.fighters"]))
    assert granted.subject == "analyst"
    assert granted.allows("read:roster.fighters.v1") and granted.allows("pii:roster.fighters")
    assert not granted.allows("read:roster.fighters.v2") and not granted.allows("*")


def _tampered():
    header, payload, signature = test_authority().token("reader", ["read:roster.fighters.v1"]).split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b"read:roster", b"pii:roster")).decode()
    return f"{header}.{forged_payload}.{signature}"


def _alg_none():
    return jwt.encode({"iss": test_authority().issuer, "aud": "octagon-mesh", "sub": "mallory", "iat": 0,
                       "exp": 4102444800, "scope": "write:roster"}, None, algorithm="none")


def _hs256_with_the_public_key():
    public = test_authority().jwks["keys"][0]["x"]
    return jwt.encode({"iss": test_authority().issuer, "aud": "octagon-mesh", "sub": "mallory", "iat": 1,
                       "exp": 4102444800, "scope": "write:roster"}, public, algorithm="HS256",
                      headers={"kid": test_authority().kid})


def _other_key():
    stranger = TestAuthority()
    stranger.kid = test_authority().kid  # claims the issuer's key id
    return stranger.token("mallory", ["write:roster"])


ATTACKS = {
    "expired": lambda: test_authority().token("r", lifetime=timedelta(minutes=-5)),
    "without exp": lambda: test_authority().token("r", exp=OMIT),
    "without sub": lambda: test_authority().token(OMIT),
    "with an empty sub": lambda: test_authority().token(""),
    "without aud": lambda: test_authority().token("r", aud=OMIT),
    "without iat": lambda: test_authority().token("r", iat=OMIT),
    "for another audience": lambda: test_authority().token("r", aud="another-mesh"),
    "from another issuer": lambda: test_authority().token("r", iss="https://evil.example"),
    "tampered": _tampered,
    "alg none": _alg_none,
    "HS256 keyed with the public key": _hs256_with_the_public_key,
    "signed by another key": _other_key,
    "garbage": lambda: "not-a-jwt",
    "with a non-string scope": lambda: test_authority().token("r", scope=["write:roster"]),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forged_or_incomplete_tokens_are_invalid(attack):
    with pytest.raises(InvalidToken):
        verify(ATTACKS[attack]())


def test_an_ed25519_key_the_issuer_does_not_publish_is_unknown():
    other = Ed25519PrivateKey.generate()
    token = jwt.encode({"sub": "m"}, other, algorithm="EdDSA", headers={"kid": "unknown"})
    with pytest.raises(InvalidToken, match="unknown"):
        verify(token)
