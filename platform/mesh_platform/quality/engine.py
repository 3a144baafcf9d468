"""Runs quality rules with DuckDB over an in-memory copy of a product's records, in a sandbox.

Each run loads the records it is given into a fresh in-memory DuckDB database (through an Arrow table: every value
as text, then cast to the column's logical type, so a value that does not parse reads as NULL rather than stopping
the run), then locks the database down before any rule's SQL runs:

* ``enable_external_access = false`` — no file, network, ATTACH, COPY, INSTALL or LOAD;
* ``lock_configuration = true`` — a query cannot switch it back;
* only a single ``SELECT`` statement is executed (anything else is refused before it reaches DuckDB);
* a timeout interrupts a query that runs too long; one thread, bounded memory.

The live store is never attached: a rule sees a copy and nothing it does can reach the domain's data.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mesh_platform.quality.results import QualityRun, RuleResult, Scope
from mesh_platform.quality.rules import ContractRules, QualityRule, UnrunnableRule, rules_of
from mesh_platform.quality.sql import ROW_COLUMN, measure_sql, offending_rows_sql, quote, render_sql_rule

if TYPE_CHECKING:
    import duckdb

    from mesh_platform.contracts.product import DataProductContract

_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "time": "TIME",
    "array": "JSON",
    "object": "JSON",
}
SAMPLE_KEYS = 5
log = logging.getLogger(__name__)


class RefusedQuery(ValueError):
    """A ``sql`` rule's query that the sandbox will not run (not exactly one read-only SELECT)."""


@dataclass(frozen=True)
class ObjectData:
    """The records of one schema object and its columns (name → ODCS logical type), key first if it has one."""

    columns: Mapping[str, str]
    records: Sequence[Mapping[str, Any]]
    key: str | None = None


def locked_database(memory_limit: str = "256MB") -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB database that SQL cannot take outside itself (see the module docstring)."""
    import duckdb

    connection = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": memory_limit})
    connection.execute("SET python_enable_replacements = false")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


class Sandbox:
    """Copies of some objects' records in a locked-down in-memory DuckDB database, dropped on :meth:`close`.

    Opening a database costs tens of milliseconds, so a caller may pass one it keeps (one per thread: the relay's
    gate and the scheduler each have their own); the copies are dropped after each run.
    """

    def __init__(
        self,
        objects: Mapping[str, ObjectData],
        *,
        timeout: float = 10.0,
        memory_limit: str = "256MB",
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        import pyarrow as pa

        self.timeout = timeout
        self.owned = connection is None
        self.connection = connection if connection is not None else locked_database(memory_limit)
        self.tables: list[str] = []
        for name, data in objects.items():
            columns = list(data.columns)
            arrays = {ROW_COLUMN: pa.array(range(len(data.records)), pa.int64())}
            for column in columns:
                arrays[column] = pa.array([_as_text(record.get(column)) for record in data.records], pa.string())
            staged = pa.table(arrays)
            self.connection.register("__staged", staged)
            casts = ", ".join(
                f"TRY_CAST({quote(column)} AS {_DUCKDB_TYPES.get(data.columns[column] or 'string', 'VARCHAR')}) "
                f"AS {quote(column)}"
                for column in columns
            )
            self.tables.append(name)
            try:
                self.connection.execute(
                    f"CREATE TABLE {quote(name)} AS SELECT {ROW_COLUMN}{', ' if casts else ''}{casts} FROM __staged"
                )
            finally:
                self.connection.unregister("__staged")

    def scalar_row(self, text: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a (generated or checked) query, under the timeout."""
        result: tuple[Any, ...] | None = self._timed(lambda: self.connection.execute(text, list(parameters)).fetchone())
        return result

    def column(self, text: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """The first column of every row of a generated query, under the timeout."""
        result: list[Any] = self._timed(lambda: [row[0] for row in self.connection.execute(text, list(parameters)).fetchall()])
        return result

    def read_only_scalar(self, text: str) -> Any:
        """Run a rule author's query: refused unless it is exactly one SELECT; its first value."""
        import duckdb

        try:
            statements = self.connection.extract_statements(text)
        except duckdb.Error as e:
            raise RefusedQuery(f"the query could not be read: {_first_line(e)}") from e
        if len(statements) != 1:
            raise RefusedQuery(f"a quality query must be a single SELECT; it has {len(statements)} statements")
        if statements[0].type != duckdb.StatementType.SELECT:
            raise RefusedQuery(f"a quality query must be a read-only SELECT, not {statements[0].type.name}")
        row = self.scalar_row(text)
        return None if row is None else row[0]

    def close(self) -> None:
        """Drop the copies (and the database if this sandbox opened it)."""
        if self.owned:
            self.connection.close()
            return
        for name in self.tables:
            self.connection.execute(f"DROP TABLE IF EXISTS {quote(name)}")

    def _timed(self, call: Callable[[], Any]) -> Any:
        timer = threading.Timer(self.timeout, self.connection.interrupt)
        timer.start()
        try:
            return call()
        finally:
            timer.cancel()


class QualityEngine:
    """Executes a contract's quality rules over records and returns a :class:`QualityRun`."""

    def __init__(self, *, timeout: float = 10.0, memory_limit: str = "256MB") -> None:
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._local = threading.local()  # one kept, locked database per thread

    def run_contract(
        self,
        contract: DataProductContract,
        records: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        scope: Scope,
        select: Callable[[QualityRule], bool] = lambda rule: True,
        rules: ContractRules | None = None,
    ) -> QualityRun:
        """Run the selected rules of ``contract`` over ``records`` (schema object name → its records).

        Objects without records given are loaded empty, so their rules still run (``rowCount`` then measures 0).
        """
        rules = rules or rules_of(contract)
        objects = {
            name: ObjectData(columns, records.get(name, ()), contract.key_field if name == contract.record_name else None)
            for name, columns in object_columns(contract).items()
        }
        # A cross-product rule needs other products' records: the cross-product job runs it (quality.crosscheck).
        selected = [rule for rule in rules.rules if not rule.cross_product and select(rule)]
        unrunnable = [rule for rule in rules.unrunnable if scope == "schedule"]
        results = self.run(objects, selected, unrunnable)
        total = sum(len(data.records) for data in objects.values())
        return QualityRun(contract.id, contract.major, scope, datetime.now(UTC), tuple(results), total)

    def run(
        self,
        objects: Mapping[str, ObjectData],
        rules: Sequence[QualityRule],
        unrunnable: Sequence[UnrunnableRule] = (),
    ) -> list[RuleResult]:
        """Run ``rules`` over ``objects``; every rule gets a result, an unrunnable one an ``error``."""
        results = [_unrunnable_result(rule) for rule in unrunnable]
        if not rules:
            return results
        sandbox = Sandbox(objects, timeout=self.timeout, connection=self._database())
        try:
            for rule in rules:
                results.append(self._run_rule(sandbox, rule, objects.get(rule.object_name)))
        finally:
            try:
                sandbox.close()
            except Exception:  # a database that cannot drop its copies is replaced, never reused
                self._local.database = None
                log.warning("quality sandbox could not be cleaned; opening a new one", exc_info=True)
        return results

    def _database(self) -> duckdb.DuckDBPyConnection:
        database = getattr(self._local, "database", None)
        if database is None:
            database = self._local.database = locked_database(self.memory_limit)
        return database

    def _run_rule(self, sandbox: Sandbox, rule: QualityRule, data: ObjectData | None) -> RuleResult:
        import duckdb

        started = time.perf_counter()
        ran_at = datetime.now(UTC)

        def result(status: str, message: str, measured: float | None = None, **extra: Any) -> RuleResult:
            return RuleResult(
                rule_key=rule.key, rule_id=rule.rule_id, object_name=rule.object_name, property_name=rule.property_name,
                status=status, measured=measured, unit=rule.unit,  # type: ignore[arg-type]
                expectation=f"{rule.threshold.describe()} {rule.unit}", message=message, ran_at=ran_at,
                duration_ms=round((time.perf_counter() - started) * 1000, 3), dimension=rule.dimension,
                metric=rule.metric or rule.kind,
                severity=rule.severity, action=rule.action, **extra,
            )

        if data is None:
            return result("error", f"the contract has no schema object {rule.object_name!r}")
        if rule.property_name is not None and rule.property_name not in data.columns:
            return result("error", f"{rule.object_name} has no property {rule.property_name!r}")
        try:
            if rule.kind == "sql":
                value = sandbox.read_only_scalar(render_sql_rule(rule, rule.object_name))
                if value is not None and not isinstance(value, int | float):
                    return result("error", f"the query returned {value!r}, not a number")
                measured = None if value is None else float(value)
                extra: dict[str, Any] = {}
            else:
                query = measure_sql(rule, rule.object_name)
                bad, total = sandbox.scalar_row(query.text, query.parameters) or (None, 0)
                measured = float(bad) if rule.unit == "rows" else (round(bad * 100 / total, 6) if total else 0.0)
                extra = {"bad_rows": int(bad), "total_rows": int(total)}
                if bad and not rule.threshold.passes(measured):
                    extra.update(self._offenders(sandbox, rule, data))
        except RefusedQuery as e:
            return result("error", f"refused: {e}")
        except (duckdb.Error, ValueError) as e:
            return result("error", f"the rule could not run: {_first_line(e)}")
        if rule.threshold.passes(measured):
            return result("passed", f"{rule.describe()}: measured {_number(measured)}", measured, **extra)
        status = "failed" if rule.blocking else "warned"
        shown = "no value" if measured is None else _number(measured)
        message = f"{rule.describe()}: measured {shown}"
        if extra.get("total_rows") is not None and rule.kind == "library" and rule.metric != "rowCount":
            message += f" ({extra['bad_rows']} of {extra['total_rows']} rows)"
        return result(status, message, measured, **extra)

    def _offenders(self, sandbox: Sandbox, rule: QualityRule, data: ObjectData) -> dict[str, Any]:
        query = offending_rows_sql(rule, rule.object_name)
        if query is None:
            return {}
        rows = tuple(int(row) for row in sandbox.column(query.text, query.parameters))
        keys: tuple[str, ...] = ()
        if data.key is not None:
            keys = tuple(str(data.records[row].get(data.key)) for row in rows[:SAMPLE_KEYS])
        return {"offending_rows": rows, "sample_keys": keys}


def object_columns(contract: DataProductContract) -> dict[str, dict[str, str]]:
    """Each schema object of ``contract`` with its top-level properties' logical types."""
    return {
        str(schema_object.get("name")): {
            str(prop.get("name")): str(prop.get("logicalType") or "string")
            for prop in schema_object.get("properties") or []
        }
        for schema_object in contract.document.get("schema") or []
    }


def _unrunnable_result(rule: UnrunnableRule) -> RuleResult:
    return RuleResult(
        rule_key=rule.key, rule_id=rule.rule_id, object_name=rule.object_name, property_name=rule.property_name,
        status="error", measured=None, unit="rows", expectation="", message=f"cannot run: {rule.reason}",
        ran_at=datetime.now(UTC), duration_ms=0.0, severity=rule.severity,
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def _number(value: float | None) -> str:
    if value is None:
        return "no value"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
