import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mesh_platform.contracts.loading import load_contract_file
from mesh_platform.events.factory import EventFactory
from mesh_tools.testing.authority import test_authority
from mesh_tools.testing.events import deliver
from mesh_tools.testing.service import bearer, trusting_test_authority
from results.app import create_app
from results.settings import ResultsSettings

ROOT = Path(__file__).resolve().parents[4]
PAST = date.today() - timedelta(days=3)


def bout_record(**changes) -> dict:
    record = dict(
        bout_id=str(uuid.uuid4()), card_id=str(uuid.uuid4()), card_date=PAST.isoformat(),
        red_fighter_id=str(uuid.uuid4()), blue_fighter_id=str(uuid.uuid4()), weight_class="lightweight",
        title_bout=False, main_event=False, order_on_card=1, scheduled_rounds=3, status="scheduled",
        scheduled_at="2026-01-05T10:00:00Z",
    )
    record.update(changes)
    return record


class ResultsService:
    """The results app on a real store, with schedule's events fed to its subscription as the broker would."""

    def __init__(self, client: TestClient, settings: ResultsSettings) -> None:
        self.client = client
        self.settings = settings
        self.service = client.app.state.domain_service
        self.schedule_events = EventFactory("schedule", settings.catalog_url)
        self.reader = bearer(settings)

    def publish_bout(self, verb: str, record: dict, time: datetime | None = None) -> None:
        message = self.schedule_events.create(product="bouts", major=1, entity="bout", verb=verb,
                                              key=record["bout_id"], data=record)
        if time is not None:
            message = dataclasses.replace(message, time=time)
        deliver(self.client.app, message)

    def scheduled_bout(self, **changes) -> dict:
        record = bout_record(**changes)
        self.publish_bout("scheduled", record)
        return record

    def record_result(self, bout: dict, body: dict, **headers):
        return self.client.post(f"/bouts/{bout['bout_id']}/result", json=body, headers=headers)


@pytest.fixture
def results_settings(store_url, tmp_path) -> ResultsSettings:
    # Schedule is unreachable here: results knows bouts only from the events the tests feed it.
    return ResultsSettings(database_url=store_url, run_dir=tmp_path, relay_enabled=False,
                           subscriptions_enabled=False, schedule_url="http://127.0.0.1:9",
                           **trusting_test_authority())


@pytest.fixture
def results(results_settings):
    with TestClient(create_app(results_settings)) as client:
        client.headers.update(test_authority().bearer("results-desk", ["write:results"]))
        yield ResultsService(client, results_settings)


@pytest.fixture(scope="session")
def bout_results_contract():
    return load_contract_file(ROOT / "contracts" / "results" / "bout-results.odcs.yaml")


def knockout(bout: dict) -> dict:
    return {"outcome": "win", "winner_fighter_id": bout["red_fighter_id"], "method": "KO/TKO", "round": 2,
            "time": "3:27"}


def now() -> datetime:
    return datetime.now(UTC)
