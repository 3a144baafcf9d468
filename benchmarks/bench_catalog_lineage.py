"""Catalog lineage at scale: the Marquez lineage query at depth 20 over 50,000 nodes (target p95 ≤ 100 ms and
≤ 3× a bare in-memory breadth-first search on the same graph). Ingestion: ``bench_catalog_ingestion``.

The graph is mesh-shaped: 495 pipelines of 50 jobs (dataset → job → dataset …), a job in seven also reading a
dataset of another pipeline. It is written straight into a SQLite store in the catalog's own format, then the real
start-up path loads it. Queries start at random nodes; the service figure is ``LineageService.lineage`` in-process,
the HTTP figure is ``GET /api/v1/lineage`` on a uvicorn server in its own process (each query once, noise
included). The baseline is a textbook BFS over a dict of neighbour lists, bounded by the same depth (in node hops)
and node limit; in-process figures are the best of five runs of each query, alternating with the baseline.
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from benchmarks.servers import percentile, served_catalog
from catalog.adapters.lineage_store import SqlLineageStore
from catalog.adapters.tables import LineageEdgeRow, LineageNodeRow
from catalog.domain.lineage_data import dataset_data, job_data
from catalog.domain.lineage_graph import LineageGraph, dataset_node_id, job_node_id
from catalog.service.lineage import LineageLimits, LineageService
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store

NODES = 50_000
JOBS_PER_PIPELINE = 50
CROSS_LINK = 1 / 7
DEPTH = 20
QUERIES = 300
REPEATS = 5
MIGRATIONS = Path(__file__).resolve().parents[1] / "catalog" / "catalog" / "migrations"
NOW = datetime(2024, 5, 1, tzinfo=UTC)


def mesh_graph(nodes: int, seed: int = 7) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str]]]:
    """``(node_id, kind, namespace, name)`` and ``(origin, destination)`` of a mesh-shaped graph of ``nodes`` nodes."""
    rng = random.Random(seed)
    pipelines = max(1, nodes // (2 * JOBS_PER_PIPELINE + 1))
    found: list[tuple[str, str, str, str]] = []
    edges: list[tuple[str, str]] = []
    datasets: list[list[str]] = []
    for p in range(pipelines):
        namespace = f"octagon.domain{p}"
        chain = [dataset_node_id(namespace, f"product{p}-0.v1")]
        found.append((chain[0], "DATASET", namespace, f"product{p}-0.v1"))
        for j in range(1, JOBS_PER_PIPELINE + 1):
            job, output = job_node_id(namespace, f"derive.step{j}"), dataset_node_id(namespace, f"product{p}-{j}.v1")
            found += [(job, "JOB", namespace, f"derive.step{j}"), (output, "DATASET", namespace, f"product{p}-{j}.v1")]
            edges += [(chain[-1], job), (job, output)]
            chain.append(output)
        datasets.append(chain)
    for origin, destination in list(edges):
        if destination.startswith("job:") and rng.random() < CROSS_LINK:
            other = rng.choice(rng.choice(datasets))
            if other != origin:
                edges.append((other, destination))
    return found, list(dict.fromkeys(edges))


def write_store(url: str, nodes: list[tuple[str, str, str, str]], edges: list[tuple[str, str]]) -> None:
    """Write the graph in the catalog's own store format (what ingestion would have left there)."""
    engine = create_store_engine(url)
    upgrade_store(engine, MIGRATIONS)
    ids = {node_id: index for index, (node_id, *_rest) in enumerate(nodes, start=1)}
    fields = {"schema": {"fields": [{"name": n, "type": "string"} for n in ("id", "name", "status")]},
              "documentation": {"description": "A benchmark product"}}
    rows = []
    inputs: dict[str, list[dict[str, str]]] = {}
    outputs: dict[str, list[dict[str, str]]] = {}
    for origin, destination in edges:
        if destination.startswith("job:"):
            inputs.setdefault(destination, []).append(_id_of(origin))
        else:
            outputs.setdefault(origin, []).append(_id_of(destination))
    for node_id, kind, namespace, name in nodes:
        if kind == "DATASET":
            data = dataset_data(namespace, name, fields, NOW, NOW)
        else:
            data = job_data(namespace, name, {}, inputs.get(node_id, []), outputs.get(node_id, []), None, NOW, NOW)
        rows.append({"id": ids[node_id], "node_id": node_id, "kind": kind, "namespace": namespace, "name": name,
                     "data": data, "facets": fields if kind == "DATASET" else {}, "created_at": NOW, "updated_at": NOW})
    with engine.begin() as connection:
        connection.execute(insert(LineageNodeRow), rows)
        connection.execute(insert(LineageEdgeRow), [
            {"origin": ids[o], "destination": ids[d], "created_at": NOW} for o, d in edges if o in ids and d in ids])
    engine.dispose()


def _id_of(node_id: str) -> dict[str, str]:
    _, namespace, name = node_id.split(":", 2)
    return {"namespace": namespace, "name": name}


def bare_bfs(neighbours: dict[str, list[str]], start: str, hops: int, max_nodes: int) -> int:
    """The baseline: breadth-first search up to ``hops`` edges away and ``max_nodes`` nodes."""
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        node, distance = queue.popleft()
        if distance == hops:
            continue
        for other in neighbours[node]:
            if other not in seen:
                if len(seen) == max_nodes:
                    return len(seen)
                seen.add(other)
                queue.append((other, distance + 1))
    return len(seen)


def query_benchmark(directory: Path) -> list[str]:
    nodes, edges = mesh_graph(NODES)
    url = f"sqlite:///{directory / 'lineage.db'}"
    write_store(url, nodes, edges)
    engine = create_store_engine(url)
    graph = LineageGraph()
    started = time.perf_counter()
    SqlLineageStore(engine, graph).load()
    load_seconds = time.perf_counter() - started
    limits = LineageLimits()
    service = LineageService(SqlLineageStore(engine, graph), graph, limits)
    neighbours: dict[str, list[str]] = {node_id: [] for node_id, *_ in nodes}
    for origin, destination in edges:
        neighbours[origin].append(destination)
        neighbours[destination].append(origin)
    gc.freeze()  # as the catalog does after loading; the baseline's lists are frozen alike
    starts = random.Random(11).sample([node_id for node_id, *_ in nodes], QUERIES)
    # Job-hop depth d reaches nodes up to 2d+1 edges from a job and 2d+2 from a dataset.
    hops = {s: 2 * DEPTH + (1 if s.startswith("job:") else 2) for s in starts}
    service_ms, bare_ms, sizes, bare_sizes = [], [], [], []
    for start in starts:  # alternate, best of a few each, so machine noise hits neither alone
        best_service = best_bare = float("inf")
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            answer = service.lineage(start, DEPTH)
            t1 = time.perf_counter()
            reached = bare_bfs(neighbours, start, hops[start], limits.max_nodes)
            t2 = time.perf_counter()
            best_service, best_bare = min(best_service, t1 - t0), min(best_bare, t2 - t1)
        service_ms.append(best_service * 1000)
        bare_ms.append(best_bare * 1000)
        sizes.append(answer.node_count)
        bare_sizes.append(reached)
    http_ms = http_queries(url, directory, starts)
    engine.dispose()
    p95_service, p95_bare, p95_http = (percentile(s, 0.95) for s in (service_ms, bare_ms, http_ms))
    ratio = statistics.mean(service_ms) / statistics.mean(bare_ms)
    median_ratio = statistics.median(s / b for s, b in zip(service_ms, bare_ms, strict=True))
    return [
        f"| catalog lineage query, depth {DEPTH}, {len(nodes):,} nodes / {len(edges):,} edges, HTTP p95 "
        f"(answers of {statistics.mean(sizes):.0f} nodes on average, capped at {limits.max_nodes}) | {p95_http:.1f} ms | "
        f"bare in-memory BFS p95: {p95_bare:.2f} ms | {p95_http / p95_bare:.1f}× | ≤ 100 ms | "
        f"{'met' if p95_http <= 100 else 'missed'} |",
        f"| catalog lineage query, depth {DEPTH}, in-process `LineageService.lineage` (answer as JSON bytes), mean; "
        f"p95 {p95_service:.2f} ms, median per-query ratio {median_ratio:.2f}× | {statistics.mean(service_ms):.2f} ms | "
        f"bare in-memory BFS (same starts, depth, node cap; reached {statistics.mean(bare_sizes):.0f} nodes): mean "
        f"{statistics.mean(bare_ms):.2f} ms, p95 {p95_bare:.2f} ms | {ratio:.2f}× | ≤ 3× | {'met' if ratio <= 3 else 'missed'} |",
        f"| catalog lineage graph load at start-up ({len(nodes):,} nodes) | {load_seconds:.2f} s | — | — | — | info |",
    ]


def http_queries(url: str, directory: Path, starts: list[str]) -> list[float]:
    """``GET /api/v1/lineage`` timings against the catalog served by uvicorn in a process of its own."""
    timings: list[float] = []
    with served_catalog(url, directory) as client:
        for start in starts:
            started = time.perf_counter()
            response = client.get("/api/v1/lineage", params={"nodeId": start, "depth": DEPTH})
            response.json()
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return timings


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: at tiny sizes, only to show it still runs."""
    global NODES, QUERIES, REPEATS
    if smoke:
        NODES, QUERIES, REPEATS = 1_000, 10, 1
    with tempfile.TemporaryDirectory(prefix="bench-catalog-lineage-") as directory:
        return query_benchmark(Path(directory))


if __name__ == "__main__":
    print("\n".join(main()))
