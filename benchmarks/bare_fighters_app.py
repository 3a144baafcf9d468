"""The baseline of the data-product read benchmark: a bare FastAPI + SQLModel endpoint on the same rows."""

import os

from fastapi import FastAPI
from sqlmodel import Session, create_engine, select

from roster.adapters.tables import FighterRow


def create_app() -> FastAPI:
    engine = create_engine(os.environ["DATABASE_URL"], connect_args={"check_same_thread": False})
    app = FastAPI()

    @app.get("/fighters")
    def fighters(limit: int = 100, after: str = "") -> list[dict]:
        with Session(engine) as session:
            rows = session.exec(select(FighterRow).where(FighterRow.fighter_id > after).order_by(FighterRow.fighter_id).limit(limit))
            return [row.model_dump(mode="json") for row in rows]

    return app
