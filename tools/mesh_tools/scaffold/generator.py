"""Renders a new domain from the templates beside this module and writes it into a repository.

Templates are plain files: ``*.tmpl`` are :class:`string.Template` texts (``${name}`` placeholders, ``$$`` for a
literal dollar) whose suffix is dropped, anything else is copied as it is; ``{name}`` in a path is replaced too.
Everything is rendered and checked before the first file is written, so a refused name leaves nothing behind.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from string import Template

from mesh_tools.launcher.topology import DEFAULT_PORTS, FIRST_EXTRA_PORT
from mesh_tools.scaffold.first_party import add_known_first_party, order_first_party_imports
from mesh_tools.scaffold.names import DomainNames, singular
from mesh_tools.scaffold.validation import NameRefused, check_domain_name, check_entity_name

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_SUFFIX = ".tmpl"


@dataclass(frozen=True)
class RenderedFile:
    """One file of the new domain: its path relative to the repository root, and its text."""

    path: PurePosixPath
    text: str


@dataclass(frozen=True)
class ScaffoldedDomain:
    """What :func:`scaffold_domain` created."""

    names: DomainNames
    root: Path
    port: int
    files: list[Path]
    first_party_registered: bool

    @property
    def domain_dir(self) -> Path:
        return self.root / "domains" / self.names.domain

    @property
    def contract_file(self) -> Path:
        return self.root / "contracts" / self.names.domain / f"{self.names.product}.odcs.yaml"


def scaffold_domain(root: Path, name: str, entity: str | None = None, port: int | None = None) -> ScaffoldedDomain:
    """Write ``domains/<name>/`` and ``contracts/<name>/<name>.odcs.yaml`` under ``root``, and add the package to
    ``known-first-party`` in ``root/pyproject.toml`` when that list exists.

    ``entity`` (singular) defaults to the singular of ``name``; ``port`` to the one ``mesh up`` would give it.
    :class:`NameRefused` when the name or the entity cannot be used; nothing is written then.
    """
    check_domain_name(name, root)
    names = DomainNames(name, entity or singular(name))
    check_entity_name(names.entity)
    port = port or default_port(root, name)
    rendered = render_domain(names, port)
    check_rendered_python(rendered, names)
    written = []
    for file in rendered:
        target = root / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.text, encoding="utf-8")
        written.append(target)
    registered = add_known_first_party(root / "pyproject.toml", names.package)
    return ScaffoldedDomain(names, root, port, written, registered)


def default_port(root: Path, name: str) -> int:
    """The port ``mesh up`` gives ``name`` beside the domains under ``root/domains`` (those beyond the first four get
    8005 and up in name order, see :func:`mesh_tools.launcher.topology.discover_services`)."""
    domains = root / "domains"
    extra = {p.name for p in domains.iterdir() if p.is_dir() and p.name not in DEFAULT_PORTS} if domains.is_dir() else set()
    return FIRST_EXTRA_PORT + sorted(extra | {name}).index(name)


def render_domain(names: DomainNames, port: int) -> list[RenderedFile]:
    """Every file of the domain and its contract, rendered (nothing is written)."""
    values = names.substitutions(port)
    files = [
        RenderedFile(PurePosixPath("domains", names.domain) / _target(path, values), _render(path, values))
        for path in sorted((TEMPLATES / "domain").rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    contract = TEMPLATES / "contract.odcs.yaml.tmpl"
    files.append(
        RenderedFile(PurePosixPath("contracts", names.domain, f"{names.product}.odcs.yaml"), _render(contract, values))
    )
    return files


def check_rendered_python(files: list[RenderedFile], names: DomainNames) -> None:
    """Refuse names that make a rendered module invalid or bind one top-level name twice (an entity called
    ``field`` would make ``Field`` both pydantic's and the domain's)."""
    for file in files:
        if file.path.suffix != ".py":
            continue
        try:
            tree = ast.parse(file.text, filename=str(file.path))
            compile(tree, str(file.path), "exec")
        except SyntaxError as e:
            raise NameRefused(
                f"{names.domain!r} with entity {names.entity!r} does not make valid Python in {file.path}: {e.msg}; "
                f"choose another name or --entity"
            ) from e
        twice = [name for name, count in Counter(_top_level_bindings(tree)).items() if count > 1]
        if twice:
            raise NameRefused(
                f"entity {names.entity!r} clashes with {', '.join(sorted(twice))} in {file.path}; "
                f"choose another --entity"
            )


def _top_level_bindings(tree: ast.Module) -> list[str]:
    bound: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound += [(alias.asname or alias.name).split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            bound.append(node.name)
        elif isinstance(node, ast.Assign):
            bound += [target.id for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            bound.append(node.target.id)
    return bound


def _target(template: Path, values: dict[str, str]) -> PurePosixPath:
    relative = template.relative_to(TEMPLATES / "domain").as_posix()
    if relative.endswith(TEMPLATE_SUFFIX):
        relative = relative[: -len(TEMPLATE_SUFFIX)]
    return PurePosixPath(relative.format_map(values))


def _render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text(encoding="utf-8")
    if not template.name.endswith(TEMPLATE_SUFFIX):
        return text
    text = Template(text).substitute(values)
    if template.name.endswith(f".py{TEMPLATE_SUFFIX}"):
        text = order_first_party_imports(text, values["package"])
    return text
