"""Web UI of access: ask for a product major (and its personal data), the owners' pending list with approve and
deny, grants, and the audit log of every step. Server-rendered forms; the caller proves who it is with a bearer
token pasted into the form (``mesh token <client>``), never with a cookie, so no other site can act for it.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from catalog.api.dependencies import Registry
from catalog.service.access import AccessService, Forbidden
from mesh_platform.auth.tokens import AccessToken, InvalidToken, KeysUnavailable
from mesh_platform.errors import DomainError

TEMPLATES_DIR = Path(__file__).parent / "templates"

Token = Annotated[str, Form(max_length=8000, description="A bearer token of the client acting")]


def access_ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M") if moment else "—"

    def service(request: Request) -> AccessService:
        result: AccessService = request.app.state.access
        return result

    def page(request: Request, registry: Any, status_code: int = 200, **context: Any) -> HTMLResponse:
        access = service(request)
        everyone = frozenset({"admin:catalog"})  # the page lists every request: they are governance facts
        products, _ = registry.products()
        context = {
            "pending": access.requests("", everyone, "pending"),
            "decided": [r for r in access.requests("", everyone) if r.status != "pending"][:50],
            "audit": access.audit_log(100),
            "products": [(p.domain, p.product, major) for p in products for major in sorted(p.versions)],
            "message": None, "error": None, **context,
        }
        return templates.TemplateResponse(request, "access.html", context, status_code=status_code)

    def caller(request: Request, token: str) -> AccessToken:
        result: AccessToken = request.app.state.authorizer.verifier.verify(token.strip().removeprefix("Bearer ").strip())
        return result

    def act(request: Request, registry: Any, token: str, action: Any) -> HTMLResponse | RedirectResponse:
        try:
            who = caller(request, token)
            message = action(who)
        except (InvalidToken, KeysUnavailable) as e:
            return page(request, registry, 401, error=f"The token was not accepted: {e}")
        except Forbidden as e:
            return page(request, registry, 403, error=str(e))
        except DomainError as e:
            return page(request, registry, 404 if "no " in e.reason[:3] else 400, error=e.reason)
        return RedirectResponse(f"/access?done={message}", status_code=303)

    @router.get("/access", response_class=HTMLResponse)
    def access_page(request: Request, registry: Registry, done: str | None = None) -> HTMLResponse:
        return page(request, registry, message=done)

    @router.post("/access/requests", response_class=HTMLResponse, response_model=None)
    def request_access(
        request: Request, registry: Registry, token: Token,
        product: Annotated[str, Form(max_length=300, description="<domain>/<product>/v<major>")],
        purpose: Annotated[str, Form(min_length=1, max_length=1000)],
        pii: Annotated[bool, Form()] = False,
    ) -> HTMLResponse | RedirectResponse:
        domain, _, rest = product.partition("/")
        name, _, major = rest.partition("/v")
        if not major.isdigit():
            return page(request, registry, 400, error=f"choose a product major, not {product!r}")

        def file(who: AccessToken) -> str:
            filed, _ = service(request).request_access(who.subject, domain, name, int(major), pii=pii, purpose=purpose)
            return f"request {filed.id} is {filed.status}"

        return act(request, registry, token, file)

    @router.post("/access/requests/{request_id}/{decision}", response_class=HTMLResponse, response_model=None)
    def decide(
        request: Request, registry: Registry, request_id: int, decision: str, token: Token,
        reason: Annotated[str, Form(max_length=1000)] = "",
    ) -> HTMLResponse | RedirectResponse:
        if decision not in ("approve", "deny"):
            return page(request, registry, 404, error="decide with approve or deny")

        def apply(who: AccessToken) -> str:
            decided = service(request).decide(request_id, who.subject, who.scopes, approve=decision == "approve",
                                              reason=reason or None)
            return f"request {decided.id} {decided.status}"

        return act(request, registry, token, apply)

    return router
