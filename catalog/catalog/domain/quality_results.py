"""The latest quality result of each rule of a product, read from the OpenLineage quality runs domains report.

A domain service reports every quality run as an OpenLineage run of job ``octagon.<domain>`` /
``quality.<product>.v<major>`` whose input is the product's dataset, with the standard ``dataQualityAssertions``
input facet: one assertion per rule (``name`` is the rule's key; ``params`` carry status, measured value, unit,
scope and when it ran). Cross-domain checks report the same way under their own job. The newest result of each
(rule, scope) wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

STATUS_ORDER = {"failed": 0, "error": 1, "warned": 2, "passed": 3}


@dataclass(frozen=True)
class QualityResultRow:
    """One rule's latest result as the product page shows it."""

    rule: str
    column: str | None
    scope: str
    status: str
    measured: str | None
    expected: str | None
    ran_at: str | None
    message: str | None
    job: str

    @property
    def badge(self) -> str:
        """The CSS badge class of the status."""
        return {"passed": "ok", "warned": "warn"}.get(self.status, "bad")


def quality_job_name(product: str, major: int) -> str:
    """The name of the job whose runs check ``product`` v``major`` (in namespace ``octagon.<domain>``)."""
    return f"quality.{product}.v{major}"


def latest_results(payloads: Iterable[Mapping[str, Any]], namespace: str, name: str) -> list[QualityResultRow]:
    """The newest result per (rule, scope) for dataset ``namespace``/``name``, worst first.

    ``payloads`` are OpenLineage run events, newest first; assertions on other datasets are ignored.
    """
    found: dict[tuple[str, str], QualityResultRow] = {}
    for payload in payloads:
        job = payload.get("job") or {}
        job_name = f"{job.get('namespace')}/{job.get('name')}"
        for dataset in payload.get("inputs") or []:
            if dataset.get("namespace") != namespace or dataset.get("name") != name:
                continue
            facet = (dataset.get("inputFacets") or {}).get("dataQualityAssertions") or {}
            for assertion in facet.get("assertions") or []:
                row = _row(assertion, payload.get("eventTime"), job_name)
                found.setdefault((row.rule, row.scope), row)  # newest first: the first seen is the latest
    return sorted(found.values(), key=lambda row: (STATUS_ORDER.get(row.status, 1), row.rule, row.scope))


def _row(assertion: Mapping[str, Any], event_time: Any, job: str) -> QualityResultRow:
    params = assertion.get("params") or {}
    success = bool(assertion.get("success"))
    status = params.get("status") or ("passed" if success else ("warned" if assertion.get("severity") == "warn"
                                                                 else "failed"))
    return QualityResultRow(
        rule=str(assertion.get("name") or assertion.get("assertion")),
        column=assertion.get("column"),
        scope=str(params.get("scope") or "schedule"),
        status=str(status),
        measured=assertion.get("actual"),
        expected=assertion.get("expected"),
        ran_at=params.get("ranAt") or (str(event_time) if event_time else None),
        message=assertion.get("description"),
        job=job,
    )
