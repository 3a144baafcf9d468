"""The map of the mesh page (``/map``): a server-rendered SVG, no script (the UI's CSP allows none)."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from catalog.api.mesh_map import MeshMaps
from catalog.ui.map_layout import layout_map

TEMPLATES_DIR = Path(__file__).parent / "templates"


def map_ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    @router.get("/map", response_class=HTMLResponse)
    def map_page(request: Request, maps: MeshMaps) -> HTMLResponse:
        mesh = maps.build()
        context = {"mesh": mesh, "picture": layout_map(mesh),
                   "consumers": {c.id: c for c in mesh.consumers},
                   "readers": {p.id: [e.destination for e in mesh.edges if e.origin == p.id and e.kind == "reads"]
                               for p in mesh.products}}
        return templates.TemplateResponse(request, "map.html", context)

    return router
