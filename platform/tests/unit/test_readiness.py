"""/ready is public: a failing dependency is named, its error's text stays in the service's log."""

import logging

from mesh_platform.http.operations import ReadinessProbe


def failing_store() -> str | None:
    raise ConnectionError('connection to server at "db.internal" (10.0.0.7), port 5432 failed: user "roster"')


def test_a_failing_check_is_reported_without_the_errors_text(caplog):
    with caplog.at_level(logging.WARNING, logger="mesh_platform.http.operations"):
        results = ReadinessProbe({"store": failing_store, "broker": lambda: None}, cache_seconds=0).run()
    assert results["broker"] is None
    assert results["store"] is not None and "ConnectionError" in results["store"]
    for leak in ("db.internal", "10.0.0.7", "roster", "5432"):
        assert leak not in results["store"]
    assert any("db.internal" in record.getMessage() for record in caplog.records)


def test_a_lasting_failure_is_logged_once(caplog):
    probe = ReadinessProbe({"store": failing_store}, cache_seconds=0)
    with caplog.at_level(logging.WARNING, logger="mesh_platform.http.operations"):
        for _ in range(5):
            probe.run()
    assert len([r for r in caplog.records if "readiness check" in r.getMessage()]) == 1
