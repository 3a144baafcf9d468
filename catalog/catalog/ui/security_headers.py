"""Browser-facing security headers of the catalog: a strict Content-Security-Policy and its companions.

The UI's pages load only the catalog's own stylesheet and carry no script, so their policy allows nothing else:
no inline script or style, no other origin, no framing. The API explorer (``/docs``, ``/redoc``) is FastAPI's page
built on a CDN bundle with one inline bootstrap script: its policy admits that CDN and exactly that script (by
its SHA-256), nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UI_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
API_EXPLORER_CDN = "https://cdn.jsdelivr.net"
API_EXPLORER_PATHS = frozenset({"/docs", "/redoc"})
COMPANION_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def api_explorer_policy(html: bytes) -> str:
    """The policy of an API-explorer page: its CDN, its own inline scripts by hash, calls back to this origin."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src {API_EXPLORER_CDN} {hashes}; "
        f"style-src {API_EXPLORER_CDN} https://fonts.googleapis.com 'unsafe-inline'; font-src https://fonts.gstatic.com; "
        "img-src 'self' data: https:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and its companion headers to every response of the catalog."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in API_EXPLORER_PATHS:
            await self._api_explorer(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = UI_POLICY
                for name, value in COMPANION_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _api_explorer(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The page is small and generated: hold it back to hash its inline script before the headers go out.
        start: Message | None = None
        body = bytearray()

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False) and start is not None:
                    headers = MutableHeaders(scope=start)
                    headers["Content-Security-Policy"] = api_explorer_policy(bytes(body))
                    for name, value in COMPANION_HEADERS.items():
                        headers[name] = value
                    await send(start)
                    await send({"type": "http.response.body", "body": bytes(body), "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, hold)
