from pathlib import Path

from mesh_tools.launcher.topology import ServiceSpec, service_environment


def specs():
    return [
        ServiceSpec("roster", "roster.app:create_app", "127.0.0.1", 8001, "postgresql://roster:r@db/roster"),
        ServiceSpec("schedule", "schedule.app:create_app", "127.0.0.1", 8002, None),
    ]


def test_each_service_gets_only_its_own_database_credentials():
    roster, schedule = specs()
    base = {
        "ROSTER_DATABASE_URL": "postgresql://roster:r@db/roster",
        "SCHEDULE_DATABASE_URL": "postgresql://schedule:s@db/schedule",
        "DATABASE_URL": "postgresql://leaked",
    }
    env = service_environment(roster, specs(), Path("/run"), "k:9092", base)
    assert env["DATABASE_URL"] == "postgresql://roster:r@db/roster"
    assert "SCHEDULE_DATABASE_URL" not in env and "ROSTER_DATABASE_URL" not in env
    env = service_environment(schedule, specs(), Path("/run"), "k:9092", base)
    assert "DATABASE_URL" not in env  # schedule falls back to its own SQLite file
    assert not any("roster:r@" in value for value in env.values())


def test_every_service_learns_the_others_urls_and_the_broker():
    env = service_environment(specs()[1], specs(), Path("/run"), "k:9092", {})
    assert env["ROSTER_URL"] == "http://127.0.0.1:8001"
    assert env["PORT"] == "8002"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "k:9092"
