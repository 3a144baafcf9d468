"""Analytical output ports: a whole data-product major as one consistent snapshot, in Parquet or NDJSON.

``GET /analytical/<product>/v<major>.parquet`` and ``… .ndjson`` answer every record of the product as of one moment
(one read transaction, see :mod:`mesh_platform.store.product_snapshot`), shaped by the same contract as the HTTP port:
the Parquet columns and their types are derived from the contract's schema, the NDJSON lines are the HTTP port's
records. Same tokens, scopes and masking as the HTTP port: ``read:<domain>.<product>.v<major>``, and personal-data
columns are null unless the token holds ``pii:<domain>.<product>``.

The snapshot is written chunk by chunk (one Parquet row group per chunk) to a temporary file while its SHA-256 is
computed, then streamed from that file and deleted: memory stays bounded whatever the product's size, and the
response headers can carry the snapshot's time, row count and content hash (``X-Snapshot-Time``, ``X-Row-Count``,
``X-Content-SHA256``, RFC 9530 ``Repr-Digest``, ``ETag``). ``HEAD`` answers those headers without the body (the
catalog shows them on product pages); it reads no record, so it does not make its caller a consumer.

``?since=<RFC 3339 time>`` makes the snapshot incremental: only the records whose change timestamp is at or after
that time. The change timestamp is the field the contract's analytical server names in its custom property
``changeTimestampField`` (a timestamp field of the record that every change of the record sets, e.g. ``updated_at``);
a product whose contract names none answers ``since`` with a 400 problem. Pass the ``X-Snapshot-Time`` of the
previous snapshot and merge by key: records changed while that snapshot was taken may come again, never go missing.
"""

# No `from __future__ import annotations` here: FastAPI must resolve the local Annotated aliases at runtime.
import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from mesh_platform.auth.tokens import AccessToken
from mesh_platform.contracts.fields import FieldSpec
from mesh_platform.contracts.product import ANALYTICAL_SERVER_ID, DataProductContract
from mesh_platform.http.bearer import AUTH_RESPONSES, Authorizer
from mesh_platform.http.data_products import DataProductPort, ReaderObserver
from mesh_platform.http.problems import BAD_REQUEST, ProblemError
from mesh_platform.store.product_snapshot import SnapshotSource

CHANGE_FIELD_PROPERTY = "changeTimestampField"
FORMATS = {"parquet": "application/vnd.apache.parquet", "ndjson": "application/x-ndjson"}
STREAM_BLOCK = 1 << 20
SNAPSHOT_HEADERS = ("X-Snapshot-Time", "X-Row-Count", "X-Content-SHA256")


class UnknownChangeField(ValueError):
    """The contract names a change timestamp field the record does not have (or that is no timestamp)."""


def change_field_of(contract: DataProductContract) -> str | None:
    """The record's change timestamp field, as the contract's analytical server names it; None if it names none."""
    server = next((s for s in contract.odcs.servers or [] if s.id == ANALYTICAL_SERVER_ID), None)
    if server is None:
        return None
    name = next((p.value for p in server.customProperties or [] if p.property == CHANGE_FIELD_PROPERTY), None)
    if name is None:
        return None
    spec = next((f for f in contract.fields if f.name == name), None)
    if spec is None or spec.logical_type != "timestamp":
        raise UnknownChangeField(f"{contract.id} v{contract.major}: {CHANGE_FIELD_PROPERTY} {name!r} is not a "
                                 f"timestamp field of the record")
    result: str | None = name
    return result


# Arrow schema, derived from the contract -------------------------------------------------------------------------

_SCALARS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "time": pa.string(),  # ISO 8601 text, as on the HTTP port: a time with an offset has no Arrow type
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}


def arrow_type(spec: FieldSpec) -> pa.DataType:
    """The Arrow type of a contract field (objects become structs, arrays lists)."""
    if spec.logical_type == "object":
        return pa.struct([arrow_field(child) for child in spec.properties])
    if spec.logical_type == "array" and spec.items is not None:
        return pa.list_(arrow_type(spec.items))
    return _SCALARS.get(spec.logical_type or "string", pa.string())


def arrow_field(spec: FieldSpec, nullable: bool | None = None) -> pa.Field:
    """The Arrow field of a contract field; its description travels as field metadata."""
    metadata = {"description": spec.description} if spec.description else None
    return pa.field(spec.name, arrow_type(spec), nullable=spec.nullable if nullable is None else nullable,
                    metadata=metadata)


def arrow_schema(contract: DataProductContract) -> pa.Schema:
    """The Parquet schema of a product major: one column per top-level field, personal data always nullable."""
    pii = contract.pii_fields
    fields = [arrow_field(spec, nullable=True if spec.name in pii else None) for spec in contract.fields]
    return pa.schema(fields, metadata={"contract": contract.id, "contract_version": contract.version})


def _converter(spec: FieldSpec) -> Callable[[Any], Any]:
    """Turns a record value (JSON form, as on the HTTP port) into what Arrow expects for the field's type."""
    if spec.logical_type == "timestamp":
        return lambda v: None if v is None else datetime.fromisoformat(v).astimezone(UTC)
    if spec.logical_type == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    if spec.logical_type == "object":
        children = [(child.name, _converter(child)) for child in spec.properties]
        return lambda v: None if v is None else {name: convert(v.get(name)) for name, convert in children}
    if spec.logical_type == "array" and spec.items is not None:
        item = _converter(spec.items)
        return lambda v: None if v is None else [item(x) for x in v]
    return lambda v: v


# The port ---------------------------------------------------------------------------------------------------------


@dataclass
class AnalyticalPort:
    """The analytical port of one HTTP-served product major (same product, scopes and masking as ``port``)."""

    port: DataProductPort
    snapshots: SnapshotSource
    contract: DataProductContract
    change_field: str | None = None

    @classmethod
    def of(cls, port: DataProductPort, snapshots: SnapshotSource, contract: DataProductContract) -> "AnalyticalPort":
        """The analytical port of ``port``; :class:`UnknownChangeField` if the contract's change field is unusable."""
        change_field = change_field_of(contract)
        has_column = getattr(snapshots, "has_column", None)
        if change_field is not None and has_column is not None and not has_column(change_field):
            raise UnknownChangeField(f"{contract.id} v{contract.major}: the store has no column {change_field!r}")
        return cls(port, snapshots, contract, change_field)

    @property
    def path(self) -> str:
        """The URL path without the format extension."""
        return f"/analytical/{self.port.product}/v{self.port.major}"

    def columns(self) -> tuple[pa.Schema, list[Callable[[Any], Any]]]:
        """The Arrow schema and, per column, the converter of its values."""
        return arrow_schema(self.contract), [_converter(spec) for spec in self.contract.fields]


@dataclass(frozen=True)
class SnapshotFile:
    """A snapshot written to a temporary file (deleted by whoever streams it)."""

    path: str
    taken_at: datetime
    rows: int
    sha256: bytes
    size: int


def export_snapshot(
    analytical: AnalyticalPort,
    fmt: str,
    present: Callable[[dict[str, Any]], dict[str, Any]],
    since: datetime | None = None,
    directory: str | None = None,
) -> SnapshotFile:
    """Write one snapshot of the product in ``fmt`` (parquet, ndjson) to a temporary file, chunk by chunk.

    ``present`` masks each record for its reader. Memory holds one chunk at a time, never the product.
    """
    changed_since = (analytical.change_field, since) if since is not None and analytical.change_field else None
    handle, path = tempfile.mkstemp(prefix=f"{analytical.port.product}-v{analytical.port.major}-",
                                    suffix=f".{fmt}", dir=directory)
    os.close(handle)
    try:
        with analytical.snapshots.snapshot(changed_since) as snapshot:
            records = ([present(record) for record in chunk] for chunk in snapshot.chunks)
            if fmt == "parquet":
                rows = _write_parquet(path, analytical, records, snapshot.taken_at)
            else:
                rows = _write_ndjson(path, records)
        digest, size = _sha256(path)
    except BaseException:
        os.unlink(path)
        raise
    return SnapshotFile(path, snapshot.taken_at, rows, digest, size)


def _write_parquet(path: str, analytical: AnalyticalPort, chunks: Iterator[list[dict[str, Any]]],
                   taken_at: datetime) -> int:
    schema, converters = analytical.columns()
    schema = schema.with_metadata({**(schema.metadata or {}), b"snapshot_time": taken_at.isoformat().encode()})
    names = schema.names
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for chunk in chunks:
            if not chunk:
                continue
            columns = [pa.array([convert(record.get(name)) for record in chunk], type=schema.field(name).type)
                       for name, convert in zip(names, converters, strict=True)]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
            rows += len(chunk)
    return rows


def _write_ndjson(path: str, chunks: Iterator[list[dict[str, Any]]]) -> int:
    rows = 0
    with open(path, "w", encoding="utf-8") as out:
        for chunk in chunks:
            out.writelines(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n" for record in chunk)
            rows += len(chunk)
    return rows


def _sha256(path: str) -> tuple[bytes, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as body:
        while block := body.read(STREAM_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.digest(), size


def _stream(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as body:
            while block := body.read(STREAM_BLOCK):
                yield block
    finally:
        _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def parse_since(raw: str | None) -> datetime | None:
    """The ``since`` parameter as an aware time; a 400 problem naming it when it is no RFC 3339 time with offset."""
    if raw is None:
        return None
    try:
        since = datetime.fromisoformat(raw)
    except ValueError as e:
        raise ProblemError(BAD_REQUEST, f"since: {raw!r} is not an RFC 3339 time (e.g. 2026-01-31T12:00:00Z)",
                           field="since") from e
    if since.tzinfo is None:
        raise ProblemError(BAD_REQUEST, f"since: {raw!r} has no UTC offset (add Z or ±hh:mm)", field="since")
    try:
        return since.astimezone(UTC)
    except OverflowError as e:  # e.g. 9999-12-31T23:00:00-14:00 lies past the last representable UTC time
        raise ProblemError(BAD_REQUEST, f"since: {raw!r} is out of range", field="since") from e


def analytical_router(
    analytical: AnalyticalPort, authorizer: Authorizer, on_reader: ReaderObserver | None = None
) -> APIRouter:
    """The snapshot routes of ``analytical``: ``<path>.parquet`` and ``<path>.ndjson``."""
    port = analytical.port
    router = APIRouter(tags=[f"analytical port: {port.product} v{port.major}"], responses=AUTH_RESPONSES)
    verify = authorizer.require(port.read_scope)

    def reader(request: Request, token: Annotated[AccessToken, Depends(verify)]) -> AccessToken:
        if on_reader and request.method != "HEAD":
            on_reader(token.subject, port)
        return token

    def snapshot_response(fmt: str, token: AccessToken, since_raw: str | None, head: bool = False) -> Response:
        since = parse_since(since_raw)
        if since is not None and analytical.change_field is None:
            raise ProblemError(
                BAD_REQUEST,
                f"since: {port.product} v{port.major} has no change timestamp (its contract's analytical server "
                f"names no {CHANGE_FIELD_PROPERTY}); read the whole snapshot instead",
                field="since",
            )
        exported = export_snapshot(analytical, fmt, lambda record: port.personal_data.shown_to(record, token), since)
        headers = {
            "Content-Length": str(exported.size),
            "X-Snapshot-Time": exported.taken_at.isoformat().replace("+00:00", "Z"),
            "X-Row-Count": str(exported.rows),
            "X-Content-SHA256": exported.sha256.hex(),
            "Repr-Digest": f"sha-256=:{base64.b64encode(exported.sha256).decode()}:",
            "ETag": f'"{exported.sha256.hex()}"',
            "X-Contract-Version": analytical.contract.version,
            "Content-Disposition": f'attachment; filename="{port.product}-v{port.major}.{fmt}"',
            "Cache-Control": "no-store",
            "Access-Control-Expose-Headers": ", ".join(SNAPSHOT_HEADERS),
        }
        if since is not None:
            headers["X-Snapshot-Since"] = since_raw or ""
        if port.deprecation:
            headers.update(port.deprecation.headers())
            target, relation = port.deprecation.link()
            headers["Link"] = f'<{target}>; rel="{relation}"'
        if head:  # the figures of the snapshot, not its body
            _remove(exported.path)
            return Response(media_type=FORMATS[fmt], headers=headers)
        return StreamingResponse(_stream(exported.path), media_type=FORMATS[fmt], headers=headers,
                                 background=BackgroundTask(_remove, exported.path))

    since_query = Query(description="RFC 3339 time (e.g. the X-Snapshot-Time of an earlier snapshot): only records "
                                    "changed at or after it")
    for fmt, media_type in FORMATS.items():
        endpoint = _endpoint(fmt, reader, since_query, snapshot_response)
        router.add_api_route(
            f"{analytical.path}.{fmt}",
            endpoint,
            methods=["GET"],
            summary=f"Snapshot of {port.product} (v{port.major}) as {fmt}",
            description="`HEAD` answers the same headers (snapshot time, row count, hash) without the body.",
            response_class=StreamingResponse,
            responses={200: {"content": {media_type: {}}, "description": "The whole product (or its changes)"},
                       400: {"description": "Invalid `since`, or `since` on a product without a change timestamp"}},
        )
        # HEAD stays out of the OpenAPI document: it has no body to describe (the GET's description names it).
        router.add_api_route(f"{analytical.path}.{fmt}", endpoint, methods=["HEAD"], include_in_schema=False)
    return router


def _endpoint(fmt: str, reader: Callable[..., AccessToken], since_query: Any,
              respond: Callable[[str, AccessToken, str | None, bool], Response]) -> Callable[..., Response]:
    def snapshot(
        request: Request,
        token: Annotated[AccessToken, Depends(reader)],
        since: Annotated[str | None, since_query] = None,
    ) -> Response:
        return respond(fmt, token, since, request.method == "HEAD")

    return snapshot

