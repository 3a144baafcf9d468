"""ODCS v3.1.0 ``quality`` rules read from a contract into executable :class:`QualityRule` objects.

What runs: ``library`` rules (``nullValues``, ``missingValues``, ``invalidValues`` with ``validValues`` or
``pattern``, ``duplicateValues``, ``rowCount``) and ``sql`` rules, declared on a schema object or on one of its
top-level properties, each with exactly one operator (``mustBe`` ... ``mustNotBeBetween``) and ``unit: rows`` or
``percent``. ``text`` rules are prose and ``custom`` rules belong to their own engine; both are skipped here.

A rule that cannot run as written (two operators, an unknown metric, a metric at the wrong level, ``invalidValues``
without ``validValues`` or ``pattern``...) is not dropped: :func:`rules_of` returns it as an
:class:`UnrunnableRule` with the reason, and the engine reports it as an ``error`` result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mesh_platform.contracts.product import DataProductContract

METRICS = ("nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount")
OPERATORS = (
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
)
UNITS = ("rows", "percent")
_UNITS: dict[str, Literal["rows", "percent"]] = {"rows": "rows", "percent": "percent"}
# Severities whose failure only warns (datacontract-cli's list); any other severity, or none, blocks.
WARNING_SEVERITIES = frozenset({"info", "warning", "warn", "low", "minor", "trivial"})
ACTIONS = ("block", "quarantine", "warn")
ON_FAILURE_PROPERTY = "onFailure"
INPUTS_PROPERTY = "inputs"
"""A ``sql`` rule's custom property listing other products it reads (``<domain>.<product>.v<major>``), each a table
of that name in its query: a cross-product check, run by the platform's cross-product job over the published ports."""
# Where a metric means something: a property, the schema object (the whole record), or both.
_METRIC_LEVELS: Mapping[str, tuple[str, ...]] = {
    "nullValues": ("property",),
    "missingValues": ("property",),
    "invalidValues": ("property",),
    "duplicateValues": ("property", "object"),
    "rowCount": ("object",),
}
_PERCENT_METRICS = ("nullValues", "missingValues", "invalidValues", "duplicateValues")
# ODCS's default list of missing values: null and the empty string.
DEFAULT_MISSING_VALUES: tuple[Any, ...] = (None, "")

Action = Literal["block", "quarantine", "warn"]


@dataclass(frozen=True)
class Threshold:
    """The one operator of a rule and its operand(s); :meth:`passes` compares a measured value."""

    operator: str
    value: Any
    upper: Any = None

    def passes(self, measured: float | None) -> bool:
        """Whether ``measured`` satisfies the operator; a value that could not be measured never does."""
        if measured is None:
            return False
        match self.operator:
            case "mustBe":
                return bool(measured == self.value)
            case "mustNotBe":
                return bool(measured != self.value)
            case "mustBeGreaterThan":
                return bool(measured > self.value)
            case "mustBeGreaterOrEqualTo":
                return bool(measured >= self.value)
            case "mustBeLessThan":
                return bool(measured < self.value)
            case "mustBeLessOrEqualTo":
                return bool(measured <= self.value)
            case "mustBeBetween":  # both bounds included, as datacontract-cli reads it
                return bool(self.value <= measured <= self.upper)
            case "mustNotBeBetween":
                return not bool(self.value <= measured <= self.upper)
        raise ValueError(f"unknown operator {self.operator}")

    def describe(self) -> str:
        """``= 0``, ``between 1 and 5``... for messages and the catalog."""
        symbols = {
            "mustBe": "=",
            "mustNotBe": "!=",
            "mustBeGreaterThan": ">",
            "mustBeGreaterOrEqualTo": ">=",
            "mustBeLessThan": "<",
            "mustBeLessOrEqualTo": "<=",
        }
        if self.operator == "mustBeBetween":
            return f"between {self.value} and {self.upper}"
        if self.operator == "mustNotBeBetween":
            return f"not between {self.value} and {self.upper}"
        return f"{symbols[self.operator]} {self.value}"


@dataclass(frozen=True)
class QualityRule:
    """One executable quality rule of one schema object (and property) of a contract."""

    key: str
    """Unique within the contract: ``<object>[.<property>]:<id>``."""
    rule_id: str
    object_name: str
    property_name: str | None
    kind: Literal["library", "sql"]
    threshold: Threshold
    unit: Literal["rows", "percent"]
    severity: str | None
    action: Action
    metric: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    query: str | None = None
    schedule: str | None = None
    dimension: str | None = None
    description: str | None = None
    inputs: tuple[str, ...] = ()
    """Other products the query reads (cross-product checks); empty for rules over this product alone."""

    @property
    def blocking(self) -> bool:
        """Whether a failure is an error (it blocks) rather than a warning, by ODCS ``severity``."""
        return (self.severity or "error").strip().lower() not in WARNING_SEVERITIES

    @property
    def whole_product(self) -> bool:
        """Whether the rule measures the whole product, so a batch of changes cannot decide it.

        ``rowCount`` and ``sql`` rules (which may aggregate across records) run on the schedule only, and so does a
        rule that declares its own ``schedule``: a share such as "at most half the fighters lack a nickname" means
        something over the product, never over a batch of one change.
        """
        return self.kind == "sql" or self.metric == "rowCount" or bool(self.schedule)

    @property
    def cross_product(self) -> bool:
        """Whether the rule reads other products too (the owning service cannot run it on its own)."""
        return bool(self.inputs)

    def describe(self) -> str:
        """What the rule asserts, e.g. ``invalidValues(weight_class) = 0 rows``."""
        target = f"{self.object_name}.{self.property_name}" if self.property_name else self.object_name
        what = f"{self.metric}({target})" if self.kind == "library" else f"sql({target})"
        return f"{what} {self.threshold.describe()} {self.unit}"


@dataclass(frozen=True)
class UnrunnableRule:
    """A rule that cannot be executed as written, and why (reported as an ``error`` result, never dropped)."""

    key: str
    rule_id: str
    object_name: str
    property_name: str | None
    reason: str
    severity: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ContractRules:
    """The executable and the unrunnable quality rules of one contract."""

    rules: tuple[QualityRule, ...]
    unrunnable: tuple[UnrunnableRule, ...]

    def for_object(self, object_name: str) -> tuple[QualityRule, ...]:
        """The rules declared on ``object_name`` or its properties."""
        return tuple(rule for rule in self.rules if rule.object_name == object_name)


class QualityRuleError(ValueError):
    """A quality rule that cannot run as written; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def rules_of(contract: DataProductContract) -> ContractRules:
    """Every executable ``library`` and ``sql`` rule of ``contract``, at schema-object and property level."""
    return rules_of_document(contract.document)


def rules_of_document(document: Mapping[str, Any]) -> ContractRules:
    """:func:`rules_of` over a parsed ODCS document."""
    rules: list[QualityRule] = []
    unrunnable: list[UnrunnableRule] = []
    for schema_object in document.get("schema") or []:
        object_name = str(schema_object.get("name"))
        declared: list[tuple[str | None, Mapping[str, Any], int]] = [
            (None, rule, index) for index, rule in enumerate(schema_object.get("quality") or [])
        ]
        for prop in schema_object.get("properties") or []:
            declared.extend((str(prop.get("name")), rule, index) for index, rule in enumerate(prop.get("quality") or []))
        for property_name, raw, index in declared:
            kind = raw.get("type") or ("library" if raw.get("metric") or raw.get("rule") else None)
            if kind in ("text", "custom"):
                continue
            rule_id = str(raw.get("id") or raw.get("name") or f"{raw.get('metric') or kind}_{index}")
            key = f"{object_name}.{property_name}:{rule_id}" if property_name else f"{object_name}:{rule_id}"
            try:
                rules.append(parse_rule(raw, key=key, rule_id=rule_id, object_name=object_name, property_name=property_name))
            except QualityRuleError as e:
                unrunnable.append(
                    UnrunnableRule(
                        key, rule_id, object_name, property_name, e.reason,
                        severity=raw.get("severity"), description=raw.get("description"),
                    )
                )
    return ContractRules(tuple(rules), tuple(unrunnable))


# The ODCS quality types the engine executes (the others are declared for people or other tools).
_EXECUTED_KINDS: dict[str, Literal["library", "sql"]] = {"library": "library", "sql": "sql"}


def parse_rule(
    raw: Mapping[str, Any], *, key: str, rule_id: str, object_name: str, property_name: str | None
) -> QualityRule:
    """One ODCS ``DataQuality`` mapping as a :class:`QualityRule`; :class:`QualityRuleError` if it cannot run."""
    declared = raw.get("type") or "library"
    kind = _EXECUTED_KINDS.get(declared) if isinstance(declared, str) else None
    if kind is None:
        raise QualityRuleError(f"type {declared!r} is not executed by the quality engine")
    threshold = _threshold(raw)
    unit = _UNITS.get(str(raw.get("unit") or "rows").strip().lower())
    if unit is None:
        raise QualityRuleError(f"unit {raw.get('unit')!r} is not supported; use rows or percent")
    metric = raw.get("metric") or raw.get("rule")  # `rule` is ODCS's deprecated spelling of `metric`
    arguments = dict(raw.get("arguments") or {})
    query = None
    if kind == "library":
        metric = _checked_metric(metric, property_name, unit, arguments)
    else:
        query = raw.get("query")
        if not isinstance(query, str) or not query.strip():
            raise QualityRuleError("a sql rule needs a query")
        if unit == "percent":
            raise QualityRuleError("a sql rule's query returns the measured value itself; unit percent has no base")
    severity = raw.get("severity")
    return QualityRule(
        key=key,
        rule_id=rule_id,
        object_name=object_name,
        property_name=property_name,
        kind=kind,
        threshold=threshold,
        unit=unit,
        severity=severity,
        action=_action(raw, severity),
        metric=metric,
        arguments=arguments,
        query=query,
        schedule=raw.get("schedule"),
        dimension=raw.get("dimension"),
        description=raw.get("description"),
        inputs=_inputs(raw, kind),
    )


def _inputs(raw: Mapping[str, Any], kind: str) -> tuple[str, ...]:
    for custom in raw.get("customProperties") or []:
        if custom.get("property") == INPUTS_PROPERTY:
            value = custom.get("value")
            if kind != "sql":
                raise QualityRuleError("only a sql rule can read other products (inputs)")
            if isinstance(value, str) or not isinstance(value, Sequence) or not value:
                raise QualityRuleError("inputs must be a non-empty list of <domain>.<product>.v<major>")
            for name in value:
                domain, _, rest = str(name).partition(".")
                product, _, major = rest.rpartition(".v")
                if not domain or not product or not major.isdigit():
                    raise QualityRuleError(f"input {name!r} is not <domain>.<product>.v<major>")
            return tuple(str(name) for name in value)
    return ()


def _threshold(raw: Mapping[str, Any]) -> Threshold:
    given = [name for name in OPERATORS if raw.get(name) is not None]
    if len(given) != 1:
        raise QualityRuleError(
            f"a rule needs exactly one operator of {', '.join(OPERATORS)}; it has {', '.join(given) or 'none'}"
        )
    operator = given[0]
    value = raw[operator]
    if operator in ("mustBeBetween", "mustNotBeBetween"):
        if not (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2):
            raise QualityRuleError(f"{operator} needs two numbers, smallest first")
        low, high = value
        if not all(_is_number(bound) for bound in (low, high)) or low > high:
            raise QualityRuleError(f"{operator} needs two numbers, smallest first; got {list(value)}")
        return Threshold(operator, low, high)
    if operator not in ("mustBe", "mustNotBe") and not _is_number(value):
        raise QualityRuleError(f"{operator} needs a number; got {value!r}")
    if not _is_number(value):
        raise QualityRuleError(f"{operator} compares a measured number; got {value!r}")
    return Threshold(operator, value)


def _checked_metric(metric: Any, property_name: str | None, unit: str, arguments: Mapping[str, Any]) -> str:
    if metric not in METRICS:
        raise QualityRuleError(f"metric {metric!r} is not one of {', '.join(METRICS)}")
    level = "property" if property_name else "object"
    if level not in _METRIC_LEVELS[metric]:
        raise QualityRuleError(
            f"metric {metric} is measured at {' or '.join(_METRIC_LEVELS[metric])} level, not on a {level}"
        )
    if unit == "percent" and metric not in _PERCENT_METRICS:
        raise QualityRuleError(f"unit percent needs a share of rows; {metric} counts the rows themselves")
    if metric == "invalidValues":
        valid = arguments.get("validValues")
        pattern = arguments.get("pattern")
        if valid is None and pattern is None:
            raise QualityRuleError("invalidValues needs a validValues or a pattern argument")
        if valid is not None and (isinstance(valid, str) or not isinstance(valid, Sequence)):
            raise QualityRuleError("validValues must be a list")
        if pattern is not None and not isinstance(pattern, str):
            raise QualityRuleError("pattern must be a regular expression string")
    if metric == "missingValues":
        missing = arguments.get("missingValues")
        if missing is not None and (isinstance(missing, str) or not isinstance(missing, Sequence)):
            raise QualityRuleError("missingValues must be a list")
    if metric == "duplicateValues" and property_name is None:
        columns = arguments.get("properties")
        if columns is not None and (isinstance(columns, str) or not isinstance(columns, Sequence) or not columns):
            raise QualityRuleError("properties must be a non-empty list of property names")
    result: str = metric
    return result


def _action(raw: Mapping[str, Any], severity: str | None) -> Action:
    """block, quarantine or warn: the rule's ``onFailure`` custom property, else from its severity."""
    for custom in raw.get("customProperties") or []:
        if custom.get("property") == ON_FAILURE_PROPERTY:
            value = str(custom.get("value")).strip().lower()
            if value not in ACTIONS:
                raise QualityRuleError(f"onFailure must be one of {', '.join(ACTIONS)}; got {custom.get('value')!r}")
            return value  # type: ignore[return-value]
    return "warn" if (severity or "error").strip().lower() in WARNING_SEVERITIES else "block"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
