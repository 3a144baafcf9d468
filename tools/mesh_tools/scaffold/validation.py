"""Which names a new domain may have.

A domain name becomes a directory, a Python package, a service name under ``mesh up``, a topic prefix and the
prefix of environment variables, so it must be safe as all of them: no clash with the standard library, an
installed package, another domain, the mesh's own pieces or the variables the platform reads.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from importlib.metadata import entry_points, packages_distributions
from pathlib import Path

from mesh_platform.settings import ServiceSettings
from mesh_tools.broker.settings import BrokerSettings
from mesh_tools.launcher.topology import ENTRY_POINT_GROUP, env_name
from mesh_tools.scaffold.names import DomainNames

NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_LENGTH = 40
# Names the mesh itself uses for directories, packages and services.
RESERVED = frozenset(
    {"catalog", "contracts", "demo", "deploy", "domains", "mesh", "mesh-platform", "octagon", "platform", "tests", "tools"}
)
PLATFORM_TABLES = frozenset({"outbox_messages", "processed_events", "idempotency_keys"})
# Variables the platform reads without a settings field.
_EXTRA_VARIABLES = frozenset({"MESH_HOST", "MESH_SERVICES", "MESH_CACHE_DIR", "MESH_TEST_POSTGRES_URL"})


class NameRefused(ValueError):
    """The name cannot be used for a new domain; the message says why."""


def check_domain_name(name: str, root: Path) -> None:
    """Refuse ``name`` for a new domain under ``root`` (:class:`NameRefused` with the reason)."""
    _check_shape(name, "domain")
    package = name.replace("-", "_")
    if keyword.iskeyword(package):
        raise NameRefused(f"{name!r} is a Python keyword and cannot be a package name")
    if name in RESERVED:
        raise NameRefused(f"{name!r} is reserved by the mesh itself")
    # Before the package checks: which third-party packages happen to be installed must not hide this reason.
    clash = _variable_clash(name)
    if clash:
        raise NameRefused(f"the service's environment variables would clash with {clash}, which the platform reads")
    for existing in (root / "domains" / name, root / "contracts" / name):
        if existing.exists():
            raise NameRefused(f"{name!r} already exists: {existing}")
    if any(entry.name == name for entry in entry_points(group=ENTRY_POINT_GROUP)):
        raise NameRefused(f"a service named {name!r} is already installed (entry point group {ENTRY_POINT_GROUP})")
    if package in sys.stdlib_module_names or package in sys.builtin_module_names:
        raise NameRefused(f"package {package!r} would shadow the standard library's {package!r} module")
    installed = packages_distributions().get(package)
    if installed:
        raise NameRefused(f"package {package!r} would clash with the installed distribution {', '.join(installed)}")
    if _importable(package):
        raise NameRefused(f"package {package!r} would clash with the importable module {package!r}")
    if package in PLATFORM_TABLES:
        raise NameRefused(f"{package!r} is the name of one of the platform's tables in every store")


def check_entity_name(entity: str) -> None:
    """Refuse ``entity`` as the name of the domain's aggregate (:class:`NameRefused` with the reason)."""
    _check_shape(entity, "entity")
    if keyword.iskeyword(DomainNames(entity, entity).entity_snake):
        raise NameRefused(f"entity {entity!r} is a Python keyword")


def _check_shape(name: str, what: str) -> None:
    if not NAME.match(name):
        raise NameRefused(
            f"{what} name {name!r} must be lower-case letters and digits, starting with a letter, words joined by "
            f"single hyphens (e.g. venues, ticket-sales)"
        )
    if len(name) > MAX_LENGTH:
        raise NameRefused(f"{what} name {name!r} is longer than {MAX_LENGTH} characters")


def _importable(package: str) -> bool:
    """Whether ``package`` already imports as a module or regular package (a bare directory on the path —
    a namespace package — does not count)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin is not None


def _variable_clash(name: str) -> str | None:
    """The platform variable that one of the service's ``<NAME>_PORT/_URL/_DATABASE_URL`` would be, if any."""
    prefix = env_name(name)
    if prefix == "MESH" or prefix.startswith("MESH_"):
        return f"the MESH_* variables ({prefix}_...)"
    read = _platform_variables()
    for variable in (f"{prefix}_PORT", f"{prefix}_URL", f"{prefix}_DATABASE_URL"):
        if variable in read:
            return variable
    return None


def _platform_variables() -> frozenset[str]:
    names = set(_EXTRA_VARIABLES)
    for settings in (ServiceSettings, BrokerSettings):
        names.update(str(f.validation_alias) for f in settings.model_fields.values() if f.validation_alias)
    return frozenset(names)
