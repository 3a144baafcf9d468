"""The catalog's browser-facing headers: a strict policy for the UI, a hash-pinned one for the API explorer."""

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from catalog.ui.security_headers import UI_POLICY, SecurityHeadersMiddleware


def client() -> TestClient:
    app = FastAPI()
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return "<p>catalog</p>"

    return TestClient(app)


def test_ui_pages_forbid_inline_code_other_origins_and_framing():
    response = client().get("/")
    assert response.headers["Content-Security-Policy"] == UI_POLICY
    for directive in ("default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in UI_POLICY
    assert "script-src" not in UI_POLICY and "unsafe" not in UI_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_api_explorer_admits_exactly_its_own_inline_script():
    response = client().get("/docs")
    assert response.status_code == 200
    [script] = re.findall(rb"<script>(.*?)</script>", response.content, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert f"'sha256-{digest}'" in script_src
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_problem_and_json_answers_carry_the_headers_too():
    response = client().get("/nowhere")
    assert response.status_code == 404
    assert response.headers["Content-Security-Policy"] == UI_POLICY
