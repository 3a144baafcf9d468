"""Changes between two versions of a contract's fields: types, nullability, allowed values, constraints, governance.

Field semantics follow ODCS: ``required: true`` means present and never null; otherwise the value may be null or
absent. So ``required`` true → false adds null to a response field, and false → true makes earlier data invalid:
both break.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from mesh_platform.contracts.changes import Change, Impact, as_list
from mesh_platform.contracts.fields import FieldSpec

_TIGHTENED = "values valid before may now be refused, so data written under the earlier version can fail validation"
_LOOSENED = "everything accepted before is still accepted"




# fields ----------------------------------------------------------------------------------------------------------


def diff_field_lists(before: Sequence[FieldSpec], after: Sequence[FieldSpec], prefix: str) -> Iterator[Change]:
    after_by_name = {spec.name: spec for spec in after}
    before_by_name = {spec.name: spec for spec in before}
    for spec in before:
        path = f"{prefix}.{spec.name}"
        if spec.name not in after_by_name:
            yield Change(
                path,
                "property-removed",
                spec.logical_type,
                None,
                Impact.BREAKING,
                "consumers read this property; the closed schema also refuses it in data written before",
            )
        else:
            yield from _diff_field(spec, after_by_name[spec.name], path)
    for spec in after:
        if spec.name in before_by_name:
            continue
        path = f"{prefix}.{spec.name}"
        if spec.required:
            yield Change(
                path,
                "required-property-added",
                None,
                spec.logical_type,
                Impact.BREAKING,
                "records and events written under the earlier version lack it",
            )
        else:
            yield Change(
                path,
                "optional-property-added",
                None,
                spec.logical_type,
                Impact.COMPATIBLE,
                "it may be absent, so data written before still validates",
            )


def _diff_field(before: FieldSpec, after: FieldSpec, path: str) -> Iterator[Change]:
    if before.logical_type != after.logical_type:
        yield Change(
            path,
            "type-changed",
            before.logical_type,
            after.logical_type,
            Impact.BREAKING,
            f"consumers parse a {before.logical_type}; earlier data is not a {after.logical_type}",
        )
        return
    if not before.required and after.required:
        yield Change(
            path,
            "optional-to-required",
            "optional",
            "required",
            Impact.BREAKING,
            "earlier records and events may lack it or carry null, which the new schema refuses",
        )
    if before.required and not after.required:
        yield Change(
            path,
            "nullable-added",
            "required",
            "nullable",
            Impact.BREAKING,
            "consumers rely on a value always being present; it may now be null or absent",
        )
    yield from _allowed_value_changes(before, after, path)
    yield from _constraint_changes(before, after, path)
    yield from _governance_changes(before, after, path)
    if (before.description or "") != (after.description or ""):
        yield Change(
            path,
            "description-changed",
            before.description,
            after.description,
            Impact.DOCUMENTATION,
            "descriptions do not change payloads",
        )
    if before.examples != after.examples:
        yield Change(
            path,
            "examples-changed",
            as_list(before.examples),
            as_list(after.examples),
            Impact.DOCUMENTATION,
            "examples do not change payloads",
        )
    if before.logical_type == "object":
        yield from diff_field_lists(before.properties, after.properties, path)
    elif before.logical_type == "array" and before.items is not None and after.items is not None:
        yield from _diff_field(before.items, after.items, f"{path}[]")


def _allowed_value_changes(before: FieldSpec, after: FieldSpec, path: str) -> Iterator[Change]:
    old, new = before.allowed_values, after.allowed_values
    if old is None and new is None:
        pass
    elif old is None:
        yield Change(path, "enum-added", "any value", list(new or ()), Impact.BREAKING, _TIGHTENED)
    else:
        removed = [v for v in old if new is not None and v not in new]
        added = [v for v in new or () if v not in old]
        if removed:
            yield Change(
                path,
                "enum-narrowed",
                list(old),
                list(new or ()),
                Impact.BREAKING,
                f"{removed} were allowed before; earlier data and consumers' filters may use them",
            )
        if added or new is None:
            widened = added if new is not None else "any value"
            if before.extensible_enum:
                yield Change(
                    path,
                    "enum-widened",
                    list(old),
                    widened if new is None else list(new),
                    Impact.COMPATIBLE,
                    "the contract declares the list extensible (extensibleEnum), so consumers tolerate unknown values",
                )
            else:
                yield Change(
                    path,
                    "enum-widened",
                    list(old),
                    widened if new is None else list(new),
                    Impact.BREAKING,
                    "the list is not declared extensible (customProperty extensibleEnum), "
                    "so consumers may handle only the listed values",
                )
    if not before.extensible_enum and after.extensible_enum and old is not None:
        yield Change(
            path,
            "enum-made-extensible",
            False,
            True,
            Impact.BREAKING,
            "consumers handle only the listed values and must now tolerate unknown ones",
        )
    elif before.extensible_enum and not after.extensible_enum:
        yield Change(path, "enum-made-closed", True, False, Impact.COMPATIBLE, "consumers may still tolerate more")


def _constraint_changes(before: FieldSpec, after: FieldSpec, path: str) -> Iterator[Change]:
    integer = before.logical_type == "integer"
    old, new = before.options, after.options
    for name, lower in (("minimum", True), ("maximum", False)):
        old_bound, new_bound = _bound(old, name, lower, integer), _bound(new, name, lower, integer)
        if old_bound != new_bound:
            tighter = _tighter_bound(old_bound, new_bound, lower)
            yield _constraint_change(path, name, _shown_bound(old, name), _shown_bound(new, name), tighter)
    for name, higher_is_tighter in (("minLength", True), ("minItems", True), ("maxLength", False), ("maxItems", False)):
        if old.get(name) != new.get(name):
            if old.get(name) is None or new.get(name) is None:
                tighter = new.get(name) is not None
            else:
                tighter = (new[name] > old[name]) == higher_is_tighter
            yield _constraint_change(path, name, old.get(name), new.get(name), tighter)
    for name in ("pattern", "format"):
        if old.get(name) != new.get(name):
            # Whether one pattern accepts all another does is undecidable here: any new or changed one tightens.
            yield _constraint_change(path, name, old.get(name), new.get(name), new.get(name) is not None)
    if old.get("multipleOf") != new.get("multipleOf"):
        was, now = old.get("multipleOf"), new.get("multipleOf")
        loosened = now is None or (was is not None and was % now == 0)
        yield _constraint_change(path, "multipleOf", was, now, not loosened)
    if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
        yield _constraint_change(
            path,
            "uniqueItems",
            bool(old.get("uniqueItems")),
            bool(new.get("uniqueItems")),
            bool(new.get("uniqueItems")),
        )
    if old.get("timezone") != new.get("timezone"):
        yield Change(
            f"{path}.timezone",
            "type-changed",
            old.get("timezone"),
            new.get("timezone"),
            Impact.BREAKING,
            "timestamps with and without offsets are different formats",
        )


def _bound(options: Any, name: str, lower: bool, integer: bool) -> tuple[float, int] | None:
    """A bound as a comparable (value, exclusiveness); integer exclusive bounds become inclusive ones."""
    exclusive_name = "exclusiveMinimum" if lower else "exclusiveMaximum"
    candidates = []
    if options.get(name) is not None:
        candidates.append((float(options[name]), 0))
    if options.get(exclusive_name) is not None:
        value = float(options[exclusive_name])
        if integer:
            candidates.append((value + 1 if lower else value - 1, 0))
        else:
            candidates.append((value, 1 if lower else -1))
    if not candidates:
        return None
    return max(candidates) if lower else min(candidates)


def _tighter_bound(old: tuple[float, int] | None, new: tuple[float, int] | None, lower: bool) -> bool:
    if old is None or new is None:
        return new is not None
    return new > old if lower else new < old


def _shown_bound(options: Any, name: str) -> Any:
    exclusive = "exclusiveMinimum" if name == "minimum" else "exclusiveMaximum"
    if options.get(exclusive) is not None:
        return f"{'>' if name == 'minimum' else '<'} {options[exclusive]}"
    return options.get(name)


def _constraint_change(path: str, name: str, before: Any, after: Any, tighter: bool) -> Change:
    if tighter:
        return Change(f"{path}.{name}", "constraint-tightened", before, after, Impact.BREAKING, _TIGHTENED)
    return Change(f"{path}.{name}", "constraint-loosened", before, after, Impact.COMPATIBLE, _LOOSENED)


def _governance_changes(before: FieldSpec, after: FieldSpec, path: str) -> Iterator[Change]:
    if before.classification != after.classification:
        if after.classification is None:
            yield Change(
                path,
                "classification-removed",
                before.classification,
                None,
                Impact.BREAKING,
                "consumers' access and handling rules follow the classification",
            )
        elif before.classification is None:
            yield Change(
                path,
                "classification-added",
                None,
                after.classification,
                Impact.COMPATIBLE,
                "the property had no classification to rely on",
            )
        else:
            yield Change(
                path,
                "classification-changed",
                before.classification,
                after.classification,
                Impact.BREAKING,
                "consumers' access and handling rules follow the classification",
            )
    if before.pii != after.pii:
        yield Change(
            path,
            "pii-changed",
            before.pii,
            after.pii,
            Impact.BREAKING,
            "the pii tag decides masking and who may read the value",
        )
    if before.primary_key != after.primary_key:
        yield Change(
            path,
            "key-changed",
            before.primary_key,
            after.primary_key,
            Impact.BREAKING,
            "consumers look records up, and Kafka partitions them, by the key",
        )
