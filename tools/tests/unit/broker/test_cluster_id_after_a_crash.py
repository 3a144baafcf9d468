"""The cluster id a node formats with survives a crash that cut its file short: the formatted storage decides."""

from __future__ import annotations

from mesh_tools.broker.storage import kept_cluster_id, new_cluster_id


def formatted(log_dir, cluster_id: str) -> None:
    log_dir.mkdir(parents=True)
    (log_dir / "meta.properties").write_text(f"#\nnode.id=1\nversion=1\ncluster.id={cluster_id}\n")


def test_a_first_start_draws_a_cluster_id_and_keeps_it(tmp_path):
    first = kept_cluster_id(tmp_path / "cluster.id", [tmp_path / "logs"])
    assert len(first) == 22 and not first.startswith("-")
    assert kept_cluster_id(tmp_path / "cluster.id", [tmp_path / "logs"]) == first
    assert (tmp_path / "cluster.id").read_text() == first + "\n"


def test_an_id_file_emptied_by_a_crash_is_restored_from_the_formatted_storage(tmp_path):
    cluster_id = new_cluster_id()
    formatted(tmp_path / "logs", cluster_id)
    (tmp_path / "cluster.id").write_text("")
    assert kept_cluster_id(tmp_path / "cluster.id", [tmp_path / "logs"]) == cluster_id
    assert (tmp_path / "cluster.id").read_text().strip() == cluster_id


def test_the_formatted_storage_wins_over_a_cut_short_id_file(tmp_path):
    cluster_id = new_cluster_id()
    formatted(tmp_path / "node-2" / "logs", cluster_id)
    (tmp_path / "cluster.id").write_text(cluster_id[:9])
    log_dirs = [tmp_path / "node-1" / "logs", tmp_path / "node-2" / "logs"]
    assert kept_cluster_id(tmp_path / "cluster.id", log_dirs) == cluster_id


def test_a_garbled_id_file_before_any_format_is_replaced_by_a_valid_id(tmp_path):
    (tmp_path / "cluster.id").write_text("\x00\x00half")
    drawn = kept_cluster_id(tmp_path / "cluster.id", [tmp_path / "logs"])
    assert len(drawn) == 22 and drawn != "\x00\x00half"
