"""Generate a domain's typed consumed events from the producers' contracts (like Avro/Protobuf code generation).

What a domain subscribes to is declared once, in ``contracts/<domain>/subscriptions.yaml`` (product and major; the
ACLs are granted from it). This module turns every event type those product majors publish into a
:class:`~mesh_platform.subscriptions.messages.ConsumedEvent` class, typed from the event type's schema in the
producer's contract, and writes them to one module of the domain::

    python -m mesh_tools.codegen roster domains/roster/roster/adapters/consumed_events.py
    python -m mesh_tools.codegen roster domains/roster/roster/adapters/consumed_events.py --check

``--check`` exits 1 when the module is not what the current contracts generate (CI runs it through a test).
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from mesh_platform.contracts import ContractRegistry, DataProductContract, default_contracts_dir
from mesh_platform.contracts.fields import FieldSpec
from mesh_platform.kafka.event_plane import SUBSCRIPTIONS_FILE, SubscriptionDeclaration
from mesh_platform.subscriptions.spec import declared_subscriptions

SCALARS = {
    "string": "str",
    "date": "date",
    "timestamp": "datetime",
    "time": "str",  # an ODCS time of day is kept as its text (no timezone arithmetic needed by any consumer)
    "number": "float",
    "integer": "int",
    "boolean": "bool",
}


class CodegenError(ValueError):
    """The consumed events cannot be generated (say why, naming the contract or the declaration)."""


def render_consumed_events(
    domain: str, registry: ContractRegistry, declarations: Sequence[SubscriptionDeclaration]
) -> str:
    """The source of the module holding every event type of every product major ``domain`` subscribes to."""
    writer = _ModuleWriter()
    for declaration in declarations:
        contract = registry.get(declaration.domain, declaration.product, declaration.major)
        writer.product(contract)
    header = (
        f'"""The events {domain} consumes, typed from the producers\' contracts. GENERATED: do not edit.\n\n'
        f"Regenerate after a producer's contract or contracts/{domain}/{SUBSCRIPTIONS_FILE} changes:\n"
        f"``python -m mesh_tools.codegen {domain} <this file>`` (a test checks it is current).\n"
        '"""\n\n'
    )  # no `from __future__ import annotations`: pydantic resolves the annotations at once, nested classes first
    imports = sorted(writer.stdlib_imports)
    lines = [header.rstrip("\n"), ""]
    if imports:
        lines.append(f"from datetime import {', '.join(imports)}")
    lines += ["from typing import ClassVar", "", "from mesh_platform.domain_api import ConsumedData, ConsumedEvent"]
    # One blank line between the imports and the first product's comment (isort's layout).
    return "\n".join([*lines, *writer.lines[1:]]).rstrip("\n") + "\n"


def generate(domain: str, contracts_dir: Path | None = None) -> str:
    """The consumed-events module of ``domain`` as the contracts under ``contracts_dir`` define it."""
    contracts_dir = Path(contracts_dir or default_contracts_dir())
    registry = ContractRegistry.from_directory(contracts_dir)
    return render_consumed_events(domain, registry, declared_subscriptions(domain, contracts_dir))


class _ModuleWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.stdlib_imports: set[str] = set()
        self.names: dict[str, str] = {}  # class name -> what it stands for (to refuse two meanings of one name)

    def product(self, contract: DataProductContract) -> None:
        self._claim(f"_{contract.id}_{contract.major}", contract.id)
        self.lines += ["", "", f"# {contract.id} v{contract.major} (contract {contract.version}), topic {contract.topic}"]
        records: dict[str, str] = {}
        for spec in contract.event_type_specs:
            if spec.schema_name not in records:
                name = _camel(f"{contract.domain}-{spec.schema_name}") + f"V{contract.major}"
                records[spec.schema_name] = self._record(
                    name, contract.event_fields(spec.type), f"Schema object `{spec.schema_name}` of {contract.id} "
                    f"v{contract.major}."
                )
            self._event(contract, spec.type, records[spec.schema_name], spec.description)

    def _record(self, name: str, fields: Iterable[FieldSpec], doc: str) -> str:
        self._claim(name, doc)
        body: list[str] = []
        nested: list[str] = []
        for spec in fields:
            annotation = self._annotation(spec, f"{name}{_camel(spec.name)}", nested)
            if spec.required:
                body.append(f"    {spec.name}: {annotation}")
            else:
                body.append(f"    {spec.name}: {annotation} | None = None")
        self.lines += nested
        self.lines += ["", "", f"class {name}(ConsumedData):", *_docstring(doc), *body]
        return name

    def _annotation(self, spec: FieldSpec, nested_name: str, nested: list[str]) -> str:
        kind = spec.logical_type
        if kind == "object":
            outer, self.lines = self.lines, []
            self._record(nested_name, spec.properties, spec.description or f"The `{spec.path}` object.")
            nested += self.lines
            self.lines = outer
            return nested_name
        if kind == "array":
            if spec.items is None:
                raise CodegenError(f"{spec.doc_path}: an array without items cannot be typed")
            return f"tuple[{self._annotation(spec.items, nested_name, nested)}, ...]"
        if kind not in SCALARS:
            raise CodegenError(f"{spec.doc_path}: logicalType {kind!r} has no Python type")
        if kind in ("date", "timestamp"):
            self.stdlib_imports.add(SCALARS[kind])
        return SCALARS[kind]

    def _event(self, contract: DataProductContract, event_type: str, record: str, description: str | None) -> None:
        name = _event_class_name(event_type)
        self._claim(name, event_type)
        fields = {spec.name: (spec.logical_type, spec.required) for spec in contract.event_fields(event_type)}
        field_lines = ["    CONTRACT_FIELDS: ClassVar[dict[str, tuple[str | None, bool]]] = {"]
        field_lines += [f"        {_quoted(field_name)}: ({_quoted(kind)}, {required}),"
                        for field_name, (kind, required) in fields.items()]
        field_lines.append("    }")
        self.lines += [
            "", "", f"class {name}({record}, ConsumedEvent):",
            *_docstring(f"`{event_type}`: {description or 'an event of ' + contract.id}"),
            f"    EVENT_TYPE: ClassVar[str] = {_quoted(event_type)}",
            f"    PRODUCT: ClassVar[str] = {_quoted(contract.id)}",
            f"    MAJOR: ClassVar[int] = {contract.major}",
            f"    TOPIC: ClassVar[str] = {_quoted(contract.topic)}",
            *field_lines,
        ]

    def _claim(self, name: str, meaning: str) -> None:
        if self.names.get(name, meaning) != meaning:
            raise CodegenError(f"class name {name} would stand for both {self.names[name]} and {meaning}")
        self.names[name] = meaning


def _event_class_name(event_type: str) -> str:
    """``octagon.roster.fighter.registered.v1`` -> ``FighterRegisteredV1``."""
    parts = event_type.split(".")
    if len(parts) != 5 or not re.fullmatch(r"v\d+", parts[4]):
        raise CodegenError(f"event type {_quoted(event_type)} is not octagon.<domain>.<entity>.<verb>.v<major>")
    return _camel(f"{parts[2]}-{parts[3]}") + parts[4].upper()


def _quoted(value: str | None) -> str:
    return "None" if value is None else json.dumps(value)


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _docstring(text: str) -> list[str]:
    wrapped = textwrap.wrap(" ".join(text.split()).replace('"""', "'''"), width=110)
    if len(wrapped) == 1:
        return [f'    """{wrapped[0]}"""', ""]
    return ['    """' + wrapped[0], *[f"    {line}" for line in wrapped[1:]], '    """', ""]


def main(argv: Sequence[str] | None = None) -> int:
    """``codegen <domain> <output> [--check]``: write the module, or exit 1 if it is not current."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in arguments
    arguments = [argument for argument in arguments if argument != "--check"]
    if len(arguments) != 2:
        print("usage: python -m mesh_tools.codegen <domain> <output.py> [--check]", file=sys.stderr)
        return 2
    domain, output = arguments[0], Path(arguments[1])
    source = generate(domain)
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != source:
            print(f"{output} is not what the contracts generate: regenerate it", file=sys.stderr)
            return 1
        return 0
    output.write_text(source, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
