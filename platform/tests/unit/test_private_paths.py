"""What the mesh creates to hold data is private: 0600 files in 0700 directories, whatever the umask."""

import os
import stat

import pytest
from sqlalchemy import text

from mesh_platform.private_paths import private_directory, private_file
from mesh_platform.store.engine import create_store_engine


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def permissive_umask():
    previous = os.umask(0o000)
    yield
    os.umask(previous)


def test_sqlite_store_and_its_wal_files_are_private_in_a_private_directory(tmp_path, permissive_umask):
    database = tmp_path / "run" / "stores" / "roster.db"
    engine = create_store_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:  # WAL mode: the -wal and -shm files exist while it is open
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.commit()
            assert mode(database) == 0o600
            for companion in ("roster.db-wal", "roster.db-shm"):
                assert mode(database.parent / companion) == 0o600, companion
        assert mode(database.parent) == 0o700
        assert mode(tmp_path / "run") == 0o700
    finally:
        engine.dispose()


def test_an_existing_store_file_is_made_private(tmp_path):
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    create_store_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


def test_an_existing_directory_it_did_not_create_is_left_alone(tmp_path):
    os.chmod(tmp_path, 0o755)
    create_store_engine(f"sqlite:///{tmp_path / 'store.db'}").dispose()
    assert mode(tmp_path) == 0o755


def test_a_directory_the_mesh_owns_outright_is_tightened(tmp_path):
    run_dir = tmp_path / ".run"
    run_dir.mkdir(mode=0o755)
    os.chmod(run_dir, 0o755)
    private_directory(run_dir, tighten=True)
    assert mode(run_dir) == 0o700


def test_a_private_file_keeps_its_content(tmp_path):
    existing = tmp_path / "data"
    existing.write_text("kept")
    private_file(existing)
    assert existing.read_text() == "kept" and mode(existing) == 0o600
