"""Catalog search over 10,000 products: p95 ≤ 50 ms, against a bare FTS5 ``MATCH`` on the same index.

Products are synthetic but shaped like the mesh's (a name, a purpose, 8 to 16 described and classified fields,
tags), their words drawn from a 3,000-word vocabulary with Zipf-Mandelbrot frequencies, the domain's own words the
commonest: some queries match nearly every product, others a handful.
They are indexed through the catalog's own search adapter into a SQLite store. The catalog figure is
``GET /api/v1/search`` on a uvicorn server in its own process (ranking, facet counts of every result, a page of 20);
the in-process figure is ``RegistryService.search``. The baseline is the bare top-20 FTS5 query, without facets, run
with ``sqlite3`` on the same file.
"""

from __future__ import annotations

import gc
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from benchmarks.servers import served_catalog
from catalog.adapters.search_index import SqliteSearchIndex
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.domain.model import DataProduct, Lifecycle, ProductVersion, Verdict
from catalog.domain.search_document import search_document
from catalog.domain.search_query import parse_query, to_fts5
from catalog.service.registry import RegistryService
from mesh_platform.store.engine import create_store_engine
from mesh_platform.store.migrations import upgrade_store

PRODUCTS = 10_000
ROUNDS = 5
TARGET_MS = 50.0
MIGRATIONS = Path(__file__).resolve().parents[1] / "catalog" / "catalog" / "migrations"
NOW = datetime(2024, 5, 1, tzinfo=UTC)
DOMAIN_WORDS = (
    "fighter bout card result ranking record event venue weight class title round method judge score decision "
    "knockout submission draw streak division rating elo roster schedule stats promotion season champion "
    "contender corner red blue referee medical license contract purse attendance broadcast sponsor gym coach "
    "camp injury suspension appeal odds betting fan ticket arena city country nationality stance reach height "
    "age debut retirement comeback rematch tournament qualifier amateur professional belt interim unified"
).split()
SYLLABLES = "ka to ri ne mo sa lu vi de ga po fe ni ro ta mi ba ke zu lo".split()
# A vocabulary of 3,000 words with the domain's own words the most frequent; Zipf-Mandelbrot frequencies, so
# a product of ~250 words mentions the commonest word a few times, and most words in few products.
VOCABULARY = DOMAIN_WORDS + [
    SYLLABLES[i % 20] + SYLLABLES[(i // 20) % 20] + SYLLABLES[(i // 400) % 20] + "n" for i in range(3_000 - len(DOMAIN_WORDS))
]
WEIGHTS = [1 / (rank + 10) for rank in range(len(VOCABULARY))]
QUERIES = [
    ("commonest word", "fighter", {}),
    ("two common words", "weight class", {}),
    ("mid-frequency word", "unified", {}),
    ("rare word", VOCABULARY[2500], {}),
    ("prefix", "cham*", {}),
    ("phrase", '"title bout"', {}),
    ("or", "referee OR judge", {}),
    ("exclusion", "ranking -draw", {}),
    ("word + facet", "record", {"classification": "restricted"}),
    ("facets only", "", {"domain": "domain7", "status": "deprecated"}),
]


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(VOCABULARY, WEIGHTS, k=count))


def product(rng: random.Random, number: int) -> DataProduct:
    domain = f"domain{number % 40}"
    fields = [
        {"name": "_".join(words(rng, 2).split()) + f"_{i}", "description": words(rng, 10),
         "classification": rng.choice(["public", "public", "internal", "restricted"]),
         "tags": ["pii"] if rng.random() < 0.05 else []}
        for i in range(rng.randint(8, 16))
    ]
    statuses = [Lifecycle.ACTIVE] if rng.random() < 0.8 else [Lifecycle.DEPRECATED, Lifecycle.ACTIVE]
    versions = {
        major: ProductVersion(domain, f"product-{number}", major, f"{major}.0.0", status, None,
                              {"schema": [{"name": "record", "properties": fields}]}, None, NOW, NOW, Verdict(()))
        for major, status in enumerate(statuses, start=1)
    }
    return DataProduct(domain, f"product-{number}", words(rng, 3).title(),
                       {"purpose": words(rng, 25), "usage": words(rng, 15), "limitations": words(rng, 10)},
                       f"team-{number % 40}", sorted(set(words(rng, 3).split())), NOW, NOW, versions)


def build(url: str) -> None:
    engine = create_store_engine(url)
    upgrade_store(engine, MIGRATIONS)
    rng = random.Random(42)
    with Session(engine) as session:
        index = SqliteSearchIndex(session)
        for number in range(PRODUCTS):
            index.index(search_document(product(rng, number)))
        session.commit()
    engine.dispose()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bare_ms(path: Path) -> dict[str, list[float]]:
    connection = sqlite3.connect(path)
    timings: dict[str, list[float]] = {}
    for _ in range(ROUNDS + 1):
        for name, query, _filters in QUERIES:
            tree = parse_query(query)
            started = time.perf_counter()
            if tree is None:
                connection.execute("SELECT product_key FROM search_documents ORDER BY domain, product LIMIT 20").fetchall()
            else:
                connection.execute(
                    "SELECT product_key FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20", (to_fts5(tree),)
                ).fetchall()
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    connection.close()
    return {name: samples[1:] for name, samples in timings.items()}  # the first round warms the page cache


def in_process_ms(url: str) -> tuple[dict[str, list[float]], dict[str, int]]:
    engine = create_store_engine(url)
    service = RegistryService(lambda: SqlCatalogUnitOfWork(engine), lineage=None)  # type: ignore[arg-type]
    timings: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for _name, query, filters in QUERIES:  # a first round warms the page cache, as a running catalog's is
        service.search(query, filters, limit=20, offset=0)
    gc.freeze()  # as the catalog does once started
    for _ in range(ROUNDS):
        for name, query, filters in QUERIES:
            started = time.perf_counter()
            results = service.search(query, filters, limit=20, offset=0)
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            totals[name] = results.total
    engine.dispose()
    return timings, totals


def http_ms(url: str, directory: Path) -> list[float]:
    timings: list[float] = []
    with served_catalog(url, directory) as client:
        for _ in range(ROUNDS * 3):
            for _name, query, filters in QUERIES:
                started = time.perf_counter()
                response = client.get("/api/v1/search", params={"q": query, **filters})
                response.json()
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
    return timings


def main() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-catalog-search-") as directory:
        path = Path(directory) / "search.db"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        build(url)
        build_seconds = time.perf_counter() - started
        bare = bare_ms(path)
        catalog, totals = in_process_ms(url)
        http = http_ms(url, Path(directory))
    all_bare = [t for samples in bare.values() for t in samples]
    all_catalog = [t for samples in catalog.values() for t in samples]
    p95_http, p95_catalog, p95_bare = percentile(http, 0.95), percentile(all_catalog, 0.95), percentile(all_bare, 0.95)
    rows = [
        f"| catalog search over {PRODUCTS:,} products, HTTP p95 ({len(http)} queries of {len(QUERIES)} kinds, ranking + "
        f"facet counts) | {p95_http:.1f} ms | bare FTS5 top-20 `MATCH` p95: {p95_bare:.2f} ms | {p95_http / p95_bare:.1f}× "
        f"| ≤ {TARGET_MS:.0f} ms | {'met' if p95_http <= TARGET_MS else 'missed'} |",
        f"| catalog search over {PRODUCTS:,} products, in-process `RegistryService.search` p95 | {p95_catalog:.1f} ms | "
        f"bare FTS5 top-20 `MATCH` p95: {p95_bare:.2f} ms | {p95_catalog / p95_bare:.1f}× | ≤ {TARGET_MS:.0f} ms | "
        f"{'met' if p95_catalog <= TARGET_MS else 'missed'} |",
    ]
    for name, query, filters in QUERIES:
        median, base = statistics.median(catalog[name]), statistics.median(bare[name])
        shown = " ".join([query, *(f"{k}={v}" for k, v in filters.items())]).strip()
        rows.append(f"| catalog search `{shown}` ({name}, {totals[name]:,} hits), in-process median | {median:.1f} ms | "
                    f"bare FTS5: {base:.2f} ms | {median / base:.1f}× | — | info |")
    rows.append(f"| catalog search: indexing {PRODUCTS:,} products through the search adapter | {build_seconds:.1f} s | "
                f"— | — | — | info |")
    return rows


if __name__ == "__main__":
    print("\n".join(main()))
