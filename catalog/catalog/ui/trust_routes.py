"""Web UI of incidents and SLOs: the incident list and pages, and the product page's banner and SLO panel.

:func:`install_trust_globals` gives the product page ``product_incidents(request, domain, product)`` and
``product_slos(request, domain, product, major)`` without its route knowing about incidents.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment

from catalog.domain.incidents import Incident, IncidentStatus
from catalog.ui.glossary_routes import TEMPLATES_DIR

BADGES = {"ok": "ok", "warning": "warn", "breached": "bad", "no data": "", "new": "bad", "acknowledged": "warn",
          "resolved": "ok"}


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def install_trust_globals(env: Environment) -> None:
    """Template globals and filters for the product page (empty answers when the trust features are absent)."""

    def product_incidents(request: Request, domain: str, product: str) -> list[Incident]:
        trust = getattr(request.app.state, "trust", None)
        return trust.incidents.open_for(domain, product) if trust is not None else []

    def product_slos(request: Request, domain: str, product: str, major: int) -> list[Any]:
        trust = getattr(request.app.state, "trust", None)
        return trust.slo.reports(domain, product, major) if trust is not None else []

    env.globals["product_incidents"] = product_incidents
    env.globals["product_slos"] = product_slos
    env.globals["trust_badges"] = BADGES
    env.filters["duration"] = _duration


def trust_ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    install_trust_globals(templates.env)
    templates.env.filters["when"] = lambda moment: "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")

    @router.get("/incidents", response_class=HTMLResponse)
    def incidents_page(request: Request, status: str | None = None, domain: str | None = None) -> HTMLResponse:
        trust = request.app.state.trust
        chosen = status if status in {s.value for s in IncidentStatus} else None
        found = trust.incidents.list(status=chosen, domain=domain or None, limit=200)
        return templates.TemplateResponse(request, "incidents.html", {
            "incidents": found, "figures": trust.incidents.figures(), "status": chosen, "domain": domain,
            "statuses": [s.value for s in IncidentStatus]})

    @router.get("/incidents/{incident_id}", response_class=HTMLResponse)
    def incident_page(request: Request, incident_id: int) -> HTMLResponse:
        incident, history = request.app.state.trust.incidents.get(incident_id)
        return templates.TemplateResponse(request, "incident.html", {"incident": incident, "history": history})

    return router
