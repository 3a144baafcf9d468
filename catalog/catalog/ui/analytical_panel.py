"""The analytical-snapshot panel of a product major's page: where the port is, the figures of a fresh snapshot
(time, row count, SHA-256, asked of the port itself) and how to read it from DuckDB, pandas and Polars.

Templates reach it as ``request.app.state.analytical_panels.of(domain, product, major, contract)``, so a product
page shows it without its route knowing the probe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.adapters.snapshot_probe import SnapshotFigures, SnapshotProbe
from catalog.domain.analytical_reading import reading_snippets

ANALYTICAL_SERVER_ID = "analytical"  # the contract's api server that is the analytical port


@dataclass(frozen=True)
class AnalyticalPanel:
    url: str  # without the format extension
    figures: SnapshotFigures | None  # None when the catalog knows no URL of the domain's service
    snippets: dict[str, str]


class AnalyticalPanels:
    def __init__(self, probe: SnapshotProbe, service_urls: dict[str, str]) -> None:
        self.probe = probe
        self.service_urls = service_urls

    def of(self, domain: str, product: str, major: int, contract: dict[str, Any]) -> AnalyticalPanel | None:
        """The panel of a major whose contract declares an analytical port (None otherwise)."""
        servers = contract.get("servers") if isinstance(contract, dict) else None
        if not any(isinstance(s, dict) and s.get("id") == ANALYTICAL_SERVER_ID for s in servers or []):
            return None
        base = self.service_urls.get(domain) or f"http://<{domain}-service>"
        url = f"{base}/analytical/{product}/v{major}"
        return AnalyticalPanel(url, self.probe.figures(domain, product, major), reading_snippets(url, product))
