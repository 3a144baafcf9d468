"""The baseline of the command-path benchmark: a bare FastAPI route inserting one SQLModel row per request.

It takes the same request body as roster's ``POST /fighters`` (validated by the same pydantic model), inserts the
fighter row into its own store (SQLite or PostgreSQL, ``DATABASE_URL``) and answers with it: no unit of work, no
outbox, no idempotency, no token. ``POST /fighters/batch`` is the baseline of the batch upload: the same NDJSON
lines, each validated by the same model, inserted as one multi-row insert in one transaction, one reply line each.
"""

import json
import os
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from sqlalchemy import insert
from sqlmodel import Session

from mesh_platform.store.engine import create_store_engine
from roster.adapters.tables import FighterRow, RosterTable
from roster.api.schemas import FighterCreate


def create_app() -> FastAPI:
    engine = create_store_engine(os.environ["DATABASE_URL"])
    RosterTable.metadata.create_all(engine, tables=[FighterRow.__table__])  # type: ignore[list-item]
    app = FastAPI()

    @app.get("/health")
    def health() -> dict:
        return {}

    @app.post("/fighters", status_code=201)
    def register(body: FighterCreate) -> dict:
        now = datetime.now(UTC)
        row = FighterRow(fighter_id=str(uuid.uuid4()), status="active", registered_at=now, updated_at=now,
                         **body.model_dump())
        with Session(engine) as session:
            session.add(row)
            session.commit()
            return row.model_dump(mode="json")

    @app.post("/fighters/batch")
    async def register_many(request: Request) -> Response:
        now = datetime.now(UTC)
        rows = [{"fighter_id": str(uuid.uuid4()), "status": "active", "registered_at": now, "updated_at": now,
                 **FighterCreate.model_validate(json.loads(line)["command"]).model_dump()}
                for line in (await request.body()).splitlines() if line.strip()]
        with Session(engine) as session:
            session.execute(insert(FighterRow), rows)
            session.commit()
        answers = (json.dumps({"line": number, "status": 201, "body": row}, default=str) + "\n"
                   for number, row in enumerate(rows, start=1))
        return Response("".join(answers), media_type="application/x-ndjson")

    return app
