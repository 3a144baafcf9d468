"""Quality rules on each published batch: the outbox relay's gate.

The relay calls :meth:`QualityGate.admit` with every batch it claimed, inside its claim transaction, before sending.
The command that wrote the events has long committed its state and its outbox rows; the gate only decides what
goes out now. Each row's data is checked against the rules of the schema object its event type follows (rules that
need the whole product — ``rowCount``, ``sql``, and rules with a ``schedule`` of their own — run on the schedule
instead). A failed rule then acts as it says:

* ``warn`` (or a rule of non-blocking severity): the event is published; the result is kept and exported;
* ``quarantine``: the offending event is held, with every later event of its key (per-key order is kept);
* ``block``: the offending event is held, with every later event of its topic.

Before any rule, each event's data is validated against the *structure* its event type's schema declares (fields,
types, requiredness, formats, ranges, patterns — allowed values are left to their ``invalidValues`` rules, which
carry their own severity and action): an event that does not conform (a producer that bypassed validation —
schema drift) is blocked like a failed ``block`` rule, under the rule key ``schema:<event type>``.

Held events stay in the outbox unpublished (see :mod:`~mesh_platform.quality.holds`); :meth:`exclusion` keeps the
relay from claiming them until an owner releases the hold. Nothing is dropped. If the gate itself breaks, it lets
the batch through and says so in the log and in ``quality_gate_errors``: a checker failure must not stop the mesh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, not_

from mesh_platform.contracts import ContractRegistry, DataProductContract
from mesh_platform.contracts.errors import ContractViolation, UnknownDataProduct
from mesh_platform.contracts.fields import FieldSpec
from mesh_platform.contracts.json_schema import PayloadValidator, object_schema
from mesh_platform.quality.engine import ObjectData, QualityEngine, object_columns
from mesh_platform.quality.freshness import FreshnessSLI
from mesh_platform.quality.holds import HoldStore
from mesh_platform.quality.results import QualityResults, QualityRun, RuleResult
from mesh_platform.quality.rules import ContractRules, QualityRule, rules_of

log = logging.getLogger(__name__)


class QualityGate:
    """Checks each outbox batch against its contracts' rules and holds what a failed blocking rule names."""

    def __init__(
        self,
        contracts: ContractRegistry,
        outbox: Table,
        holds: HoldStore,
        results: QualityResults,
        *,
        engine: QualityEngine | None = None,
        on_run: Callable[[QualityRun], None] | None = None,
        freshness: FreshnessSLI | None = None,
    ) -> None:
        self.contracts = contracts
        self.outbox = outbox
        self.holds = holds
        self.results = results
        self.engine = engine or QualityEngine()
        self.on_run = on_run
        self.freshness = freshness
        self.errors_total = 0
        self.held_total = 0
        self._rules: dict[str, ContractRules] = {}
        self._validators: dict[str, PayloadValidator] = {}

    def exclusion(self, connection: Connection) -> ColumnElement[bool] | None:
        """The condition outbox rows must meet to be claimed (None: no hold is active)."""
        held = self.holds.exclusion(connection, self.outbox)
        return None if held is None else not_(held)

    def admit(self, connection: Connection, rows: Sequence[Any]) -> list[Any]:
        """The rows of the claimed batch that may be published now (in order); holds the others."""
        try:
            admitted = self._admit(connection, rows)
        except Exception:  # a broken checker must not stop publishing; the schedule still checks the product
            self.errors_total += 1
            log.exception("quality gate failed; the batch of %d events is published unchecked", len(rows))
            admitted = list(rows)
        if self.freshness is not None:
            self.freshness.observe(admitted)
        return admitted

    def _admit(self, connection: Connection, rows: Sequence[Any]) -> list[Any]:
        released = self.holds.released_event_ids(connection, [row.event_id for row in rows])
        by_topic: dict[str, list[Any]] = {}
        for row in rows:
            if row.event_id not in released:
                by_topic.setdefault(row.topic, []).append(row)
        holds: list[tuple[Any, str]] = []  # (first held row, action)
        for topic, topic_rows in by_topic.items():
            try:
                contract = self.contracts.for_topic(topic)
            except UnknownDataProduct:
                continue
            holds.extend(self._check(connection, contract, topic_rows))
        if not holds:
            return list(rows)
        self.held_total += len(holds)
        return [row for row in rows if not any(_holds_back(hold, action, row) for hold, action in holds)]

    def _check(self, connection: Connection, contract: DataProductContract, rows: list[Any]) -> list[tuple[Any, str]]:
        rules = [rule for rule in self._rules_of(contract).rules if not rule.whole_product]
        offenders: dict[int, list[RuleResult]] = {}  # outbox id → failed rules naming it
        actions: dict[int, str] = {}
        all_results: list[RuleResult] = []
        by_object: dict[str, list[Any]] = {}
        for row in rows:
            try:
                schema_name = contract.event_type_spec(row.event_type).schema_name
                self._structure(contract, row.event_type)(row.payload)
            except UnknownDataProduct:
                continue
            except ContractViolation as e:
                result = _schema_violation(row, e)
                all_results.append(result)
                offenders[row.id], actions[row.id] = [result], "block"
                continue
            by_object.setdefault(schema_name, []).append(row)
        columns = object_columns(contract)
        for object_name, object_rows in by_object.items():
            object_rules = [rule for rule in rules if rule.object_name == object_name]
            if not object_rules or object_name not in columns or not object_rows:
                continue
            key = contract.key_field if object_name == contract.record_name else None
            results, named = self._run_object(object_rules, columns[object_name], object_rows, key)
            all_results.extend(results)
            for result, result_rows in named:
                if result.status != "failed" or result.action == "warn":
                    continue
                for row in result_rows:
                    offenders.setdefault(row.id, []).append(result)
                    if actions.get(row.id) != "block":
                        actions[row.id] = result.action or "block"
        if all_results:
            run = QualityRun(contract.id, contract.major, "batch", datetime.now(UTC), tuple(all_results), len(rows))
            self.results.record(run)
            if self.on_run is not None:
                self.on_run(run)
        return self._hold(connection, rows, offenders, actions)

    def _run_object(
        self, rules: list[QualityRule], columns: dict[str, str], rows: list[Any], key: str | None
    ) -> tuple[list[RuleResult], list[tuple[RuleResult, list[Any]]]]:
        """Run the rules over the rows' data; each result with the rows it names (all rows if it names none)."""
        # Events carry whole records, so several events of one key in a batch are versions, not duplicates:
        # duplicateValues compares the latest version of each key.
        latest = list({row.message_key: row for row in rows}.values()) if key else rows
        per_row = [rule for rule in rules if rule.metric != "duplicateValues"]
        per_key = [rule for rule in rules if rule.metric == "duplicateValues"]
        named: list[tuple[RuleResult, list[Any]]] = []
        results: list[RuleResult] = []
        for subset, source in ((per_row, rows), (per_key, latest)):
            if not subset:
                continue
            data = ObjectData(columns, [row.payload for row in source], key)
            for result in self.engine.run({subset[0].object_name: data}, subset):
                results.append(result)
                chosen = [source[index] for index in result.offending_rows] or list(source)
                named.append((result, chosen))
        return results, named

    def _hold(
        self, connection: Connection, rows: list[Any], offenders: dict[int, list[RuleResult]], actions: dict[int, str]
    ) -> list[tuple[Any, str]]:
        holds: list[tuple[Any, str]] = []
        for row in rows:  # in outbox order, so the earliest offender of a topic or key is the one held
            if row.id not in offenders or any(_holds_back(hold, action, row) for hold, action in holds):
                continue
            action = actions[row.id]
            failed = offenders[row.id]
            reason = "; ".join(dict.fromkeys(result.message for result in failed))
            self.holds.add(connection, row, action, sorted({result.rule_key for result in failed}), reason)
            log.warning("quality: %s held %s (%s on %s): %s", action, row.event_id, row.event_type, row.topic, reason)
            holds.append((row, action))
        return holds

    def _structure(self, contract: DataProductContract, event_type: str) -> PayloadValidator:
        key = f"{contract.id}/{contract.major}/{event_type}"
        if key not in self._validators:
            fields = tuple(_without_allowed_values(spec) for spec in contract.event_fields(event_type))
            self._validators[key] = PayloadValidator(event_type, object_schema(fields, annotations=False))
        return self._validators[key]

    def _rules_of(self, contract: DataProductContract) -> ContractRules:
        if contract.id + str(contract.major) not in self._rules:
            self._rules[contract.id + str(contract.major)] = rules_of(contract)
        return self._rules[contract.id + str(contract.major)]


def _without_allowed_values(spec: FieldSpec) -> FieldSpec:
    return replace(
        spec,
        allowed_values=None,
        properties=tuple(_without_allowed_values(child) for child in spec.properties),
        items=_without_allowed_values(spec.items) if spec.items is not None else None,
    )


def _schema_violation(row: Any, error: ContractViolation) -> RuleResult:
    return RuleResult(
        rule_key=f"schema:{row.event_type}", rule_id="schema", object_name=row.event_type, property_name=error.path or None,
        status="failed", measured=1.0, unit="rows", expectation="the event type's schema",
        message=f"event {row.event_id} does not conform to {row.event_type}: {error}", ran_at=datetime.now(UTC),
        duration_ms=0.0, metric="schema", dimension="conformity", action="block", bad_rows=1, total_rows=1,
        sample_keys=(row.message_key,),
    )


def _holds_back(hold: Any, action: str, row: Any) -> bool:
    if row.topic != hold.topic or row.id < hold.id:
        return False
    return action == "block" or row.message_key == hold.message_key
