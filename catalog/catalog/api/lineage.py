"""OpenLineage, Marquez-compatible: ``POST /api/v1/lineage`` ingests events, ``GET /api/v1/lineage`` answers
the lineage graph around a node (``{"graph": [...]}``, plus ``limits`` saying how depth and size were capped)."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.
import asyncio

from fastapi import APIRouter, HTTPException, Request, Response

from catalog.api.auth import Caller
from catalog.api.dependencies import Lineage
from catalog.domain.lineage_graph import MalformedNodeId, UnknownNode
from catalog.domain.openlineage import MalformedLineageEvent
from catalog.service.lineage import ForeignLineage, LineageEventTooLarge
from mesh_platform.http.bearer import AUTH_RESPONSES, insufficient_scope
from mesh_platform.http.problems import problem_response


def lineage_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["lineage (OpenLineage, Marquez-compatible)"])

    @router.post(
        "/lineage",
        summary="Ingest an OpenLineage RunEvent, DatasetEvent or JobEvent",
        status_code=201,
        responses={201: {"description": "Stored"}, 400: {"description": "Not an OpenLineage event; nothing stored"},
                   413: {"description": "More inputs or outputs than an event may carry; nothing stored"},
                   **AUTH_RESPONSES},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}},
    )
    async def ingest(request: Request, lineage: Lineage, caller: Caller) -> Response:
        # Decoding, checking (only the caller's own jobs and datasets, first) and storing happen on the catalog's
        # ingestion thread, never on the event loop: a large event does not hold up other requests.
        try:
            await asyncio.wrap_future(lineage.submit(await request.body(), caller.scopes))
        except ForeignLineage as e:
            raise insufficient_scope(caller, e.scope) from e
        except LineageEventTooLarge as e:
            return problem_response(413, "Event too large", str(e), errors=[{"field": e.part, "reason": str(e)}],
                                    instance=request.url.path)
        except MalformedLineageEvent as e:
            raise HTTPException(400, str(e)) from e
        return Response(status_code=201)

    @router.get(
        "/lineage",
        summary="The lineage graph around a dataset or job",
        responses={400: {"description": "nodeId or depth is malformed"}, 404: {"description": "Unknown node"}},
    )
    def graph(lineage: Lineage, nodeId: str | None = None, depth: str | None = None) -> Response:  # noqa: N803
        if not nodeId:
            raise HTTPException(400, "nodeId is required: dataset:<namespace>:<name> or job:<namespace>:<name>")
        try:
            requested = int(depth) if depth is not None else None
        except ValueError as e:
            raise HTTPException(400, f"depth must be a whole number, found {depth!r}") from e
        if requested is not None and requested < 0:
            raise HTTPException(400, "depth must be zero or more")
        try:
            found = lineage.lineage(nodeId, requested)
        except MalformedNodeId as e:
            raise HTTPException(400, str(e)) from e
        except UnknownNode as e:
            raise HTTPException(404, f"no dataset or job {nodeId!r} has been seen") from e
        return Response(found.response_json(), media_type="application/json")

    return router

