"""The bearer check at the edge: a token is judged against the issuer's keys, or not at all when they are away."""

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from mesh_platform.auth import DiscoveredKeys, OidcDiscovery, TokenVerifier
from mesh_platform.http.bearer import Authorizer
from mesh_platform.http.problems import install_problem_handlers
from mesh_tools.testing.authority import test_authority


def app_with(authorizer: Authorizer) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/guarded")
    def guarded(token=Depends(authorizer.require("write:roster"))):
        return {"subject": token.subject}

    return TestClient(app)


def test_an_unreachable_issuer_means_503_not_a_guess():
    unreachable = OidcDiscovery("http://127.0.0.1:9")
    client = app_with(Authorizer(TokenVerifier(DiscoveredKeys(unreachable), issuer="http://127.0.0.1:9")))
    response = client.get("/guarded", headers=test_authority().bearer("desk", ["write:roster"]))
    assert response.status_code == 503
    assert response.headers["Retry-After"]


def test_the_caller_is_who_the_token_names():
    client = app_with(Authorizer(test_authority().verifier()))
    assert client.get("/guarded", headers=test_authority().bearer("desk", ["write:roster"])).json() == {"subject": "desk"}
    malformed = client.get("/guarded", headers={"Authorization": "Basic ZGVzazpzZWNyZXQ="})
    assert malformed.status_code == 401 and malformed.headers["WWW-Authenticate"] == 'Bearer realm="octagon-mesh"'
