"""Incident figures on the catalog's ``/metrics``: open incidents and mean times to detect, notify and repair."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger(__name__)


class TrustCollector:
    def __init__(self, trust: Any) -> None:
        self.trust = trust

    def collect(self) -> Iterator[Metric]:
        try:
            figures = self.trust.incidents.figures()
        except Exception:  # a store that is down has no figures; /ready reports it
            log.debug("incident figures unavailable", exc_info=True)
            return
        open_incidents = GaugeMetricFamily("catalog_incidents_open", "Open incidents by status", labels=["status"])
        for status, count in figures["open"].items():
            open_incidents.add_metric([status], count)
        yield open_incidents
        for key, name in (("meanTimeToDetectSeconds", "detect"), ("meanTimeToNotifySeconds", "notify"),
                          ("meanTimeToRepairSeconds", "repair")):
            if figures[key] is not None:
                yield GaugeMetricFamily(f"catalog_incident_mean_time_to_{name}_seconds",
                                        f"Mean time to {name} over the latest 200 incidents", value=figures[key])
