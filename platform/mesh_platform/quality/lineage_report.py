"""Quality results as OpenLineage: a run of job ``octagon.<domain>`` / ``quality.<product>.v<major>`` whose input is
the product's dataset, carrying the standard ``dataQualityAssertions`` and ``dataQualityMetrics`` input facets.

The catalog keeps every OpenLineage event it receives, so these runs are how it learns, per rule, what passed,
failed or warned, what was measured and when (as Marquez shows Great Expectations or dbt test results).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from openlineage.client.event_v2 import InputDataset, Job, Run, RunEvent, RunState
from openlineage.client.generated.data_quality_assertions_dataset import Assertion, DataQualityAssertionsDatasetFacet
from openlineage.client.generated.data_quality_metrics_input_dataset import (
    ColumnMetrics,
    DataQualityMetricsInputDatasetFacet,
)

from mesh_platform.lineage.naming import PRODUCER, DatasetName, JobName, product_namespace
from mesh_platform.quality.results import QualityRun, RuleResult

_ASSERTION_KINDS = {
    "nullValues": "not_null",
    "missingValues": "not_missing",
    "invalidValues": "accepted_values",
    "duplicateValues": "unique",
    "rowCount": "row_count",
    "freshness": "freshness",
    "availability": "availability",
}


def quality_job(domain: str, product: str, major: int) -> JobName:
    """The job whose runs check ``product`` v``major``."""
    return JobName(product_namespace(domain), f"quality.{product}.v{major}")


def quality_run_event(
    job: JobName, datasets: Iterable[tuple[DatasetName, Iterable[RuleResult]]], run: QualityRun, *, row_count: int | None
) -> RunEvent:
    """A COMPLETE run event of ``job`` with each dataset's rule results as assertion and metric facets."""
    inputs = []
    for dataset, results in datasets:
        results = list(results)
        null_counts = {
            r.property_name: r.bad_rows for r in results
            if r.property_name and r.bad_rows is not None and r.metric == "nullValues"
        }
        facets = {
            "dataQualityAssertions": DataQualityAssertionsDatasetFacet(
                assertions=[assertion(result, run.scope) for result in results], producer=PRODUCER
            ),
            "dataQualityMetrics": DataQualityMetricsInputDatasetFacet(
                rowCount=row_count,
                columnMetrics={column: ColumnMetrics(nullCount=count) for column, count in null_counts.items()},
                producer=PRODUCER,
            ),
        }
        inputs.append(InputDataset(namespace=dataset.namespace, name=dataset.name, inputFacets=facets))
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=run.ran_at.isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace=job.namespace, name=job.name),
        inputs=inputs,
        outputs=[],
        producer=PRODUCER,
    )


def assertion(result: RuleResult, scope: str) -> Assertion:
    """One rule result as an OpenLineage assertion (status, measured value and run scope in ``params``)."""
    return Assertion(
        assertion=_kind(result),
        success=result.status == "passed",
        column=result.property_name,
        severity="warn" if result.status == "warned" or result.action == "warn" else "error",
        name=result.rule_key,
        description=result.message,
        expected=result.expectation or None,
        actual=None if result.measured is None else f"{result.measured:g} {result.unit}",
        params={
            "status": result.status,
            "measured": result.measured,
            "unit": result.unit,
            "ranAt": result.ran_at.isoformat(),
            "scope": scope,
            "dimension": result.dimension,
            "badRows": result.bad_rows,
            "totalRows": result.total_rows,
            "sampleKeys": list(result.sample_keys),
        },
    )


def _kind(result: RuleResult) -> str:
    return _ASSERTION_KINDS.get(result.metric or "", "custom_sql")
