"""A service's own token: fetched with its client credentials, cached, renewed before it expires, never raced."""

import base64
import threading

import httpx
import pytest

from mesh_platform.auth import ClientCredentials, OidcDiscovery, TokenUnavailable


class TokenEndpoint:
    """The issuer's token endpoint (and discovery document), counting what it was asked."""

    def __init__(self, lifetime: int = 300, secret: str = "s3cret") -> None:
        self.lifetime = lifetime
        self.secret = secret
        self.issued = 0
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": "http://issuer", "token_endpoint": "http://issuer/oauth2/token",
                                             "jwks_uri": "http://issuer/jwks"})
        expected = "Basic " + base64.b64encode(f"svc:{self.secret}".encode()).decode()
        if request.headers.get("Authorization") != expected or b"grant_type=client_credentials" not in request.content:
            return httpx.Response(401, json={"error": "invalid_client"})
        with self.lock:
            self.issued += 1
            number = self.issued
        return httpx.Response(200, json={"access_token": f"token-{number}", "token_type": "Bearer",
                                         "expires_in": self.lifetime})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def credentials(endpoint: TokenEndpoint, clock: Clock, secret: str = "s3cret") -> ClientCredentials:
    transport = httpx.MockTransport(endpoint)
    return ClientCredentials("svc", secret, discovery=OidcDiscovery("http://issuer", transport=transport),
                             transport=transport, clock=clock)


def test_the_token_is_fetched_once_and_renewed_after_80_percent_of_its_lifetime():
    endpoint, clock = TokenEndpoint(lifetime=300), Clock()
    source = credentials(endpoint, clock)
    assert source.token() == "token-1"
    clock.now += 239
    assert source.token() == "token-1"
    clock.now += 2  # 241 s > 80 % of 300 s
    assert source.token() == "token-2"
    assert endpoint.issued == 2


def test_concurrent_callers_share_one_fetch():
    endpoint, clock = TokenEndpoint(), Clock()
    source = credentials(endpoint, clock)
    tokens = []
    threads = [threading.Thread(target=lambda: tokens.append(source.token())) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(tokens) == {"token-1"} and endpoint.issued == 1


def test_refused_credentials_are_a_token_unavailable_error_naming_the_client():
    source = credentials(TokenEndpoint(), Clock(), secret="wrong")
    with pytest.raises(TokenUnavailable, match="'svc'.*invalid_client"):
        source.token()


def test_a_401_from_a_peer_renews_the_token_and_retries_once():
    endpoint, clock = TokenEndpoint(), Clock()
    source = credentials(endpoint, clock)
    seen = []

    def peer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401 if len(seen) == 1 else 200)

    with httpx.Client(transport=httpx.MockTransport(peer), auth=source) as client:
        assert client.get("http://peer/x").status_code == 200
    assert seen == ["Bearer token-1", "Bearer token-2"]


def test_a_403_renews_at_most_once_per_interval_so_a_missing_grant_does_not_flood_the_issuer():
    endpoint, clock = TokenEndpoint(), Clock()
    source = credentials(endpoint, clock)
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(403)), auth=source) as client:
        for _ in range(5):
            assert client.get("http://peer/x").status_code == 403
        assert endpoint.issued == 2  # the first fetch and one renewal in case a grant was just approved
        clock.now += 11
        client.get("http://peer/x")
    assert endpoint.issued == 3


class FlakyIssuer(TokenEndpoint):
    """An issuer that can be taken down (its token endpoint unreachable)."""

    down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.url.path != "/.well-known/openid-configuration":
            raise httpx.ConnectError("connection refused", request=request)
        return super().__call__(request)


def test_while_the_issuer_is_down_the_token_held_is_used_until_it_expires_and_renewed_once_it_is_back():
    endpoint, clock = FlakyIssuer(lifetime=300), Clock()
    source = credentials(endpoint, clock)
    assert source.token() == "token-1"
    endpoint.down = True
    clock.now += 250  # past the 80 % renewal point, 50 s before expiry
    assert source.token() == "token-1"
    clock.now += 3  # within the retry pause: the issuer is not asked again
    assert source.token() == "token-1"
    endpoint.down = False
    clock.now += 3
    assert source.token() == "token-2"
    assert endpoint.issued == 2


def test_once_the_token_held_has_expired_an_unreachable_issuer_is_an_error():
    endpoint, clock = FlakyIssuer(lifetime=300), Clock()
    source = credentials(endpoint, clock)
    source.token()
    endpoint.down = True
    clock.now += 300
    with pytest.raises(TokenUnavailable, match="unreachable"):
        source.token()
