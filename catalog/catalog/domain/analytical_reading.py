"""How to read a product major's analytical port from DuckDB, pandas and Polars: the copy-paste lines the product
page and the generated documentation both show (one text, kept here)."""

from __future__ import annotations


def reading_snippets(url: str, product: str) -> dict[str, str]:
    """``{"duckdb": SQL, "python": pandas and Polars}`` reading ``<url>.parquet`` (``url`` without the extension)
    with the token in ``MESH_TOKEN``."""
    name = product.replace("-", "_")
    duckdb = ("-- DuckDB (httpfs): the snapshot is streamed, so download it whole\n"
              "INSTALL httpfs; LOAD httpfs; SET force_download = true;\n"
              "CREATE SECRET mesh (TYPE http, EXTRA_HTTP_HEADERS MAP {'Authorization': 'Bearer <token>'});\n"
              f"SELECT * FROM read_parquet('{url}.parquet');")
    python = ("import io, os\n\nimport httpx\nimport pandas as pd\nimport polars as pl\n\n"
              "headers = {\"Authorization\": f\"Bearer {os.environ['MESH_TOKEN']}\"}\n"
              f"# pandas\n{name} = pd.read_parquet(\"{url}.parquet\", storage_options=headers)\n"
              f"# Polars\nresponse = httpx.get(\"{url}.parquet\", headers=headers, timeout=None)\n"
              "frame = pl.read_parquet(io.BytesIO(response.content))\n"
              "print(response.headers[\"X-Snapshot-Time\"], response.headers[\"X-Row-Count\"])")
    return {"duckdb": duckdb, "python": python}
