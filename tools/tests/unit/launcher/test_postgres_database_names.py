"""``mesh up --postgres`` names each service's database ``mesh_<service>``, or after ``MESH_POSTGRES_DATABASE_PREFIX``."""

from mesh_tools.launcher.postgres_stores import database_name


def test_each_service_gets_a_mesh_database_named_after_it(monkeypatch):
    monkeypatch.delenv("MESH_POSTGRES_DATABASE_PREFIX", raising=False)

    assert database_name("new-domain") == "mesh_new_domain"


def test_a_prefix_gives_a_run_databases_of_its_own(monkeypatch):
    monkeypatch.setenv("MESH_POSTGRES_DATABASE_PREFIX", "scale_1a2b_")

    assert database_name("roster") == "scale_1a2b_roster"
    assert database_name("roster", prefix="Other-") == "other_roster"  # still nothing PostgreSQL must quote
