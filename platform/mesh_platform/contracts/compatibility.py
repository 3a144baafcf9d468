"""Classifying the changes between two versions of a contract, from the consumers' point of view.

A change is **breaking** when a consumer built against the earlier version can fail on the later one, or when data
written under the earlier version (events kept on the topic) no longer validates against the later schema.
**Compatible** changes alter the interface without breaking it and need at least a minor version; **documentation**
changes (descriptions, examples, metadata) alter no payload and no port.

Field semantics follow ODCS: ``required: true`` means present and never null; otherwise the value may be null or
absent. So ``required`` true → false adds null to a response field, and false → true makes earlier data invalid:
both break.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mesh_platform.contracts.changes import Change, Impact, VersionFailure, canonical_json, summarized
from mesh_platform.contracts.field_changes import diff_field_lists
from mesh_platform.contracts.fields import FieldSpec
from mesh_platform.contracts.product import DataProductContract
from mesh_platform.contracts.semver import parse_version

__all__ = ["Change", "Impact", "VersionFailure", "diff_contracts", "diff_fields", "versioning_failures"]


def diff_contracts(before: DataProductContract, after: DataProductContract) -> list[Change]:
    """Every change from ``before`` to ``after`` (same product), classified."""
    changes: list[Change] = []
    changes += _port_changes(before, after)
    changes += _event_type_changes(before, after)
    field_changes = diff_fields(before.fields, after.fields, prefix=after.record_name)
    changes += field_changes
    changes += _metadata_changes(before, after, fields_changed=bool(field_changes))
    return changes


def diff_fields(before: Sequence[FieldSpec], after: Sequence[FieldSpec], *, prefix: str) -> list[Change]:
    """The changes between two lists of fields; paths are ``<prefix>.<field path>``."""
    return list(diff_field_lists(before, after, prefix))


def versioning_failures(before_version: str, after_version: str, changes: Sequence[Change]) -> list[VersionFailure]:
    """What the version bump from ``before_version`` to ``after_version`` fails to account for, one per change.

    Breaking changes need a new major; compatible changes need the version to move by at least a minor.
    """
    before, after = parse_version(before_version), parse_version(after_version)
    if after < before:
        return [VersionFailure("version", str(before), str(after), "the version went backwards")]
    if after.major > before.major:
        return []
    failures: list[VersionFailure] = []
    next_major = before.major + 1
    for change in changes:
        if change.breaking:
            failures.append(
                VersionFailure(
                    change.path,
                    change.before,
                    change.after,
                    f"{change.reason} [{change.rule}]. This breaks consumers, but the major version did not change "
                    f"({before} → {after}): publish it as {next_major}.0.0 on a new port (/v{next_major}, topic "
                    f".v{next_major}) and keep v{before.major} live until its sunset date",
                )
            )
        elif change.impact is Impact.COMPATIBLE and after == before:
            failures.append(
                VersionFailure(
                    change.path,
                    change.before,
                    change.after,
                    f"the interface changed ({change.rule}: {change.reason}) but the version did not move "
                    f"from {before}: bump the minor version ({before.major}.{before.minor + 1}.0)",
                )
            )
        elif change.impact is Impact.COMPATIBLE and (after.major, after.minor) == (before.major, before.minor):
            failures.append(
                VersionFailure(
                    change.path,
                    change.before,
                    change.after,
                    f"the interface changed ({change.rule}) so {before} → {after} needs at least a minor bump "
                    f"({before.major}.{before.minor + 1}.0), not a patch",
                )
            )
    return failures


# ports and event types -------------------------------------------------------------------------------------------


def _port_changes(before: DataProductContract, after: DataProductContract) -> Iterator[Change]:
    if before.http_path != after.http_path:
        yield Change(
            "servers.http.path",
            "port-path-changed",
            before.http_path,
            after.http_path,
            Impact.BREAKING,
            "consumers call the HTTP port at its old path",
        )
    if before.topic != after.topic:
        yield Change(
            "servers.kafka.topic",
            "topic-changed",
            before.topic,
            after.topic,
            Impact.BREAKING,
            "subscribers consume the old topic",
        )
    formats = [_kafka_format(c) for c in (before, after)]
    if formats[0] != formats[1]:
        yield Change(
            "servers.kafka.format",
            "event-format-changed",
            formats[0],
            formats[1],
            Impact.BREAKING,
            "subscribers decode messages in the old format",
        )


def _kafka_format(contract: DataProductContract) -> str:
    server = next(s for s in contract.odcs.servers or [] if s.type == "kafka")
    return server.format or "json"


def _event_type_changes(before: DataProductContract, after: DataProductContract) -> Iterator[Change]:
    for event_type in before.event_types:
        if event_type not in after.event_types:
            yield Change(
                f"eventTypes[{event_type}]",
                "event-type-removed",
                event_type,
                None,
                Impact.BREAKING,
                "subscribers handle this event type and it will no longer be published",
            )
    for event_type in after.event_types:
        if event_type not in before.event_types:
            yield Change(
                f"eventTypes[{event_type}]",
                "event-type-added",
                None,
                event_type,
                Impact.COMPATIBLE,
                "subscribers skip event types they do not handle",
            )
    for event_type in before.event_types:
        if event_type not in after.event_types:
            continue
        before_spec = before.event_type_spec(event_type)
        after_spec = after.event_type_spec(event_type)
        carries_record = before_spec.schema_name == before.record_name and after_spec.schema_name == after.record_name
        if not carries_record:  # the record's own changes are reported once, under the record
            yield from diff_field_lists(
                before.event_fields(event_type), after.event_fields(event_type), f"eventTypes[{event_type}]"
            )


# metadata --------------------------------------------------------------------------------------------------------

_METADATA_KEYS = (
    "name",
    "tenant",
    "status",
    "description",
    "tags",
    "team",
    "support",
    "slaProperties",
    "roles",
    "price",
    "authoritativeDefinitions",
    "customProperties",
    "contractCreatedTs",
)


def _metadata_changes(
    before: DataProductContract, after: DataProductContract, *, fields_changed: bool
) -> Iterator[Change]:
    for key in _METADATA_KEYS:
        old, new = before.document.get(key), after.document.get(key)
        if canonical_json(old) != canonical_json(new):
            yield Change(
                key,
                "metadata-changed",
                summarized(old),
                summarized(new),
                Impact.DOCUMENTATION,
                "contract metadata does not change payloads or ports",
            )
    if not fields_changed and canonical_json(before.document.get("schema")) != canonical_json(after.document.get("schema")):
        yield Change(
            "schema",
            "schema-annotations-changed",
            None,
            None,
            Impact.DOCUMENTATION,
            "only annotations (descriptions, quality notes, names) changed, not what payloads accept",
        )
    servers = [canonical_json(c.document.get("servers")) for c in (before, after)]
    if servers[0] != servers[1] and not any(c.path.startswith("servers.") for c in _port_changes(before, after)):
        yield Change(
            "servers",
            "server-details-changed",
            None,
            None,
            Impact.DOCUMENTATION,
            "hosts and descriptions are deployment details; paths, topics and formats are unchanged",
        )
