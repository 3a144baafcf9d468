import uuid
from datetime import date
from pathlib import Path

import pytest

from mesh_platform.contracts.loading import load_contract_file
from mesh_platform.domain_api import EventMessage
from mesh_platform.events.factory import EventFactory

ROOT = Path(__file__).resolve().parents[4]
CATALOG = "http://127.0.0.1:8000"


def fighter_event(fighter_id: str, name: str, weight_class="lightweight", status="active", verb="registered",
                  updated_at="2024-01-01T00:00:00Z") -> EventMessage:
    data = {"fighter_id": fighter_id, "name": name, "nickname": None, "date_of_birth": "1990-01-01",
            "nationality": "US", "weight_class": weight_class, "stance": "orthodox", "height_cm": 180, "reach_cm": 185,
            "status": status, "registered_at": "2024-01-01T00:00:00Z", "updated_at": updated_at}
    return EventFactory("roster", CATALOG).create(product="fighters", major=1, entity="fighter", verb=verb,
                                                  key=fighter_id, data=data)


def result_event(red: str, blue: str, winner: str | None, on: date, outcome="win", method="KO/TKO",
                 weight_class="lightweight") -> EventMessage:
    bout_id = str(uuid.uuid4())
    decision = method.startswith("DEC")
    data = {
        "bout_id": bout_id, "card_id": str(uuid.uuid4()), "bout_date": on.isoformat(), "weight_class": weight_class,
        "red_fighter_id": red, "blue_fighter_id": blue, "outcome": outcome, "winner_fighter_id": winner,
        "method": method, "round": 3 if decision else 1, "time": "5:00" if decision else "2:10",
        "judges_scores": [{"judge": judge, "red": 29, "blue": 28} for judge in ("A", "B", "C")] if decision else None,
        "recorded_at": f"{on.isoformat()}T23:00:00Z",
    }
    return EventFactory("results", CATALOG).create(product="bout-results", major=1, entity="result",
                                                   verb="recorded", key=bout_id, data=data)


@pytest.fixture(scope="session")
def stats_contracts():
    return {
        name: load_contract_file(ROOT / "contracts" / "stats" / f"{name}.odcs.yaml")
        for name in ("fighter-records", "rankings")
    }
