"""Service level objectives measured by a domain service, per product major.

* :mod:`~mesh_platform.slo.availability` — the availability SLI: the product's own port requests that did not fail
  on the server's side (good) out of all it answered (total), read from the service's request counters;
* the freshness SLI lives with the outbox relay (:mod:`mesh_platform.quality.freshness`).

Both are exported as good/total counters (``slo_*_total``) so standard multi-window burn-rate alerts work, and are
reported to the catalog with each scheduled quality run as ``slo:<sli>`` results carrying ``badRows``/``totalRows``
for the interval, from which the catalog keeps error budgets and burn rates.
"""

from mesh_platform.slo.availability import AvailabilitySLI, AvailabilityTarget, availability_targets

__all__ = ["AvailabilitySLI", "AvailabilityTarget", "availability_targets"]
