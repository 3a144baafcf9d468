"""Offline verification refuses every token the mesh's issuer did not sign for this audience, with a reason."""

import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mesh_platform.auth import InvalidToken
from mesh_platform.auth.tokens import StaticKeys, TokenVerifier
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


class CountingKeys:
    """The authority's keys, counting how often a signature had to be checked against them."""

    def __init__(self, authority):
        self.keys = StaticKeys(authority.jwks)
        self.lookups = 0

    def key_for(self, token):
        self.lookups += 1
        return self.keys.key_for(token)


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def remembering_verifier(**options):
    authority, clock = test_authority(), Clock()
    keys = CountingKeys(authority)
    return TokenVerifier(keys, issuer=authority.issuer, audience=authority.audience, clock=clock, **options), keys, clock


def test_a_token_verified_lately_is_admitted_again_without_a_second_signature_check():
    verifier, keys, clock = remembering_verifier(remember_seconds=60)
    token = test_authority().token("loader", ["write:roster"])
    assert verifier.known(token) is None
    first = verifier.verify(token)
    clock.now += 59
    assert verifier.verify(token) == first == verifier.known(token)
    assert keys.lookups == 1


def test_a_remembered_token_is_checked_again_after_the_memory_lapses():
    verifier, keys, clock = remembering_verifier(remember_seconds=60)
    token = test_authority().token("loader", ["write:roster"])
    verifier.verify(token)
    clock.now += 61
    assert verifier.known(token) is None
    verifier.verify(token)
    assert keys.lookups == 2


def test_a_remembered_token_is_refused_once_it_expires():
    verifier, _, clock = remembering_verifier(remember_seconds=3600, leeway=0)
    token = test_authority().token("loader", ["write:roster"], lifetime=timedelta(seconds=30))
    verifier.verify(token)
    clock.now += 31  # expired for the memory; PyJWT's own clock is still before exp
    assert verifier.known(token) is None


def test_an_invalid_token_is_never_remembered():
    verifier, keys, _ = remembering_verifier()
    forged = _tampered()
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
    assert verifier.known(forged) is None and keys.lookups == 2


def test_only_the_most_recent_tokens_are_remembered():
    verifier, _, _ = remembering_verifier(remembered=2)
    tokens = [test_authority().token(f"client-{n}", ["write:roster"]) for n in range(3)]
    for token in tokens:
        verifier.verify(token)
    assert verifier.known(tokens[0]) is None
    assert verifier.known(tokens[1]) is not None and verifier.known(tokens[2]) is not None
