"""Statistical process control rules declared in a contract: ODCS ``type: custom`` quality rules of our engine.

A rule on a schema object or one of its properties::

    quality:
      - id: fighters_volume_control
        type: custom
        engine: octagon-spc
        description: The number of fighters moves only as it usually does.
        dimension: consistency
        severity: warning
        schedule: "*/5 * * * *"        # optional cron; else every MESH_QUALITY_INTERVAL_SECONDS
        implementation:
          measure: rowCount             # rowCount | eventsPerHour | freshness (object); nullRate | freshness (property)
          charts: [shewhart, ewma]      # shewhart (Western Electric rules), ewma, cusum
          westernElectric: [WE1, WE2, WE3, WE4]
          baseline: 30                  # earlier in-control points the limits come from
          warmup: 10                    # points needed before any is judged
          seasonality: dayOfWeek        # or none
          minSigma: 1                   # floor under sigma, in the measure's unit

What each measure is: ``rowCount`` — records in the product; ``nullRate`` — percent of records whose property is
null; ``eventsPerHour`` — events of the product's topic that occurred in the last hour (from the outbox);
``freshness`` — on a timestamp property, seconds since its newest value; on the object, seconds the oldest
unpublished event has waited. Custom rules of other engines are left to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mesh_platform.quality.spc import CHARTS, SEASONALITIES, WESTERN_ELECTRIC, ChartSettings

ENGINE = "octagon-spc"
OBJECT_MEASURES = {"rowCount": "rows", "eventsPerHour": "events", "freshness": "seconds"}
PROPERTY_MEASURES = {"nullRate": "percent", "freshness": "seconds"}
_KNOWN = {"measure", "charts", "westernElectric", "baseline", "warmup", "seasonality", "minSigma", "ewmaLambda",
          "ewmaWidth", "cusumK", "cusumH"}


@dataclass(frozen=True)
class SpcRule:
    """One control-chart rule of one schema object (and property) of a contract."""

    key: str
    """Unique within the contract: ``<object>[.<property>]:<id>`` (the key of its results and of its series)."""
    rule_id: str
    object_name: str
    property_name: str | None
    measure: str
    unit: str
    settings: ChartSettings
    severity: str | None = None
    dimension: str | None = None
    description: str | None = None
    schedule: str | None = None

    def describe(self) -> str:
        """What the rule charts, e.g. ``rowCount(fighters) in control (shewhart+ewma)``."""
        target = f"{self.object_name}.{self.property_name}" if self.property_name else self.object_name
        return f"{self.measure}({target}) in control ({'+'.join(self.settings.charts)})"


@dataclass(frozen=True)
class SpcRuleProblem:
    """Why a declared SPC rule cannot run, and where it is in the contract."""

    path: str
    message: str


def spc_rules_of_document(document: Mapping[str, Any]) -> tuple[list[SpcRule], list[SpcRuleProblem]]:
    """Every SPC rule of a parsed ODCS document, and the problems of those that cannot run."""
    rules: list[SpcRule] = []
    problems: list[SpcRuleProblem] = []
    for path, object_name, property_name, raw in _custom_rules(document):
        if raw.get("engine") != ENGINE:
            continue
        rule_id = str(raw.get("id") or raw.get("name") or "")
        if not rule_id:
            problems.append(SpcRuleProblem(path, "an SPC rule needs an id (its history is kept under it)"))
            continue
        try:
            rules.append(parse_spc_rule(raw, rule_id, object_name, property_name))
        except ValueError as e:
            problems.append(SpcRuleProblem(f"{path}.implementation", str(e)))
    return rules, problems


def parse_spc_rule(raw: Mapping[str, Any], rule_id: str, object_name: str, property_name: str | None) -> SpcRule:
    """One ``custom`` rule of engine ``octagon-spc``; :class:`ValueError` naming what is wrong."""
    implementation = raw.get("implementation")
    if not isinstance(implementation, Mapping):
        raise ValueError("the implementation of an octagon-spc rule is a mapping with at least a measure")
    unknown = sorted(set(implementation) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown implementation keys {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}")
    measures = PROPERTY_MEASURES if property_name else OBJECT_MEASURES
    measure = implementation.get("measure")
    if measure not in measures:
        level = "a property" if property_name else "a schema object"
        raise ValueError(f"measure {measure!r} is not one of {', '.join(measures)} (on {level})")
    charts = _names(implementation, "charts", CHARTS, ("shewhart", "ewma"))
    rules = _names(implementation, "westernElectric", WESTERN_ELECTRIC, WESTERN_ELECTRIC)
    seasonality = implementation.get("seasonality", "none")
    if seasonality not in SEASONALITIES:
        raise ValueError(f"seasonality {seasonality!r} is not one of {', '.join(SEASONALITIES)}")
    baseline = _number(implementation, "baseline", 30, integer=True, least=2)
    warmup = _number(implementation, "warmup", min(10, baseline), integer=True, least=2)
    if warmup > baseline:
        raise ValueError(f"warmup ({warmup}) cannot exceed baseline ({baseline}): the baseline would never fill")
    lam = _number(implementation, "ewmaLambda", 0.2, least=0.0)
    if not 0 < lam <= 1:
        raise ValueError(f"ewmaLambda must be in (0, 1]; got {lam}")
    settings = ChartSettings(
        charts=charts, rules=rules, baseline=int(baseline), warmup=int(warmup), seasonality=seasonality,
        min_sigma=_number(implementation, "minSigma", 0.0, least=0.0), ewma_lambda=lam,
        ewma_width=_number(implementation, "ewmaWidth", 3.0, least=0.0),
        cusum_k=_number(implementation, "cusumK", 0.5, least=0.0),
        cusum_h=_number(implementation, "cusumH", 5.0, least=0.0),
    )
    key = f"{object_name}.{property_name}:{rule_id}" if property_name else f"{object_name}:{rule_id}"
    return SpcRule(
        key=key, rule_id=rule_id, object_name=object_name, property_name=property_name, measure=measure,
        unit=measures[measure], settings=settings, severity=raw.get("severity"), dimension=raw.get("dimension"),
        description=raw.get("description"), schedule=raw.get("schedule"),
    )


def _custom_rules(document: Mapping[str, Any]) -> Iterator[tuple[str, str, str | None, Mapping[str, Any]]]:
    for schema_object in document.get("schema") or []:
        object_name = str(schema_object.get("name"))
        for j, raw in enumerate(schema_object.get("quality") or []):
            if raw.get("type") == "custom":
                yield f"schema[{object_name}].quality[{j}]", object_name, None, raw
        for prop in schema_object.get("properties") or []:
            for j, raw in enumerate(prop.get("quality") or []):
                if raw.get("type") == "custom":
                    yield f"schema[{object_name}].properties[{prop.get('name')}].quality[{j}]", object_name, \
                        str(prop.get("name")), raw


def _names(implementation: Mapping[str, Any], name: str, allowed: Sequence[str], default: Sequence[str]) -> tuple[str, ...]:
    value = implementation.get(name, list(default))
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ValueError(f"{name} must be a non-empty list of {', '.join(allowed)}")
    wrong = [str(item) for item in value if item not in allowed]
    if wrong:
        raise ValueError(f"{name}: {', '.join(wrong)} not one of {', '.join(allowed)}")
    return tuple(value)


def _number(implementation: Mapping[str, Any], name: str, default: float, *, integer: bool = False,
            least: float) -> Any:
    value = implementation.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}; got {value!r}")
    if value < least:
        raise ValueError(f"{name} must be at least {least:g}; got {value}")
    return value
