"""``mesh new-domain <name>``: scaffold a domain, optionally install it, say what was made and what comes next.

Exit codes: 0 created, 1 created but the editable install failed, 2 usage error (a refused name, no repository).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from mesh_tools.scaffold.generator import ScaffoldedDomain, scaffold_domain
from mesh_tools.scaffold.validation import NameRefused

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class RepositoryNotFound(LookupError):
    """No directory holding both ``domains/`` and ``contracts/`` above the starting point."""


def find_repository_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds ``domains/`` and ``contracts/``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / "domains").is_dir() and (directory / "contracts").is_dir():
            return directory
    raise RepositoryNotFound(f"no directory with domains/ and contracts/ at or above {start}; pass --root")


def in_virtualenv() -> bool:
    """Whether this interpreter runs in a virtual environment (where installing is harmless)."""
    return sys.prefix != sys.base_prefix


def install_editable(domain_dir: Path) -> subprocess.CompletedProcess[str]:
    """``pip install -e`` the domain into this interpreter's environment, offline: the platform it depends on is
    installed already and setuptools is taken from the environment."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(domain_dir)],
        capture_output=True,
        text=True,
    )


def run_new_domain(
    name: str, *, root: Path | None, entity: str | None, install: bool | None, console: Console
) -> int:
    """Scaffold ``name`` under ``root`` (default: found from the working directory); return the exit code."""
    errors = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        root = root.resolve() if root is not None else find_repository_root(Path.cwd())
        if not ((root / "domains").is_dir() and (root / "contracts").is_dir()):
            raise RepositoryNotFound(f"--root {root} does not hold domains/ and contracts/")
        scaffolded = scaffold_domain(root, name, entity)
    except (NameRefused, RepositoryNotFound) as e:
        errors.print(f"[red]error:[/] {escape(str(e))}")
        return EXIT_USAGE
    _print_created(console, scaffolded)
    installed = False
    if install if install is not None else in_virtualenv():
        result = install_editable(scaffolded.domain_dir)
        if result.returncode != 0:
            errors.print(f"[red]error:[/] installing {scaffolded.domain_dir} failed:\n{escape(result.stderr.strip())}")
            _print_next_steps(console, scaffolded, installed=False)
            return EXIT_FAILED
        installed = True
        console.print(f"[green]✓[/] installed {scaffolded.names.distribution} (editable) into {escape(sys.prefix)}")
    _print_next_steps(console, scaffolded, installed=installed)
    return EXIT_OK


def _print_created(console: Console, scaffolded: ScaffoldedDomain) -> None:
    names = scaffolded.names
    console.print(
        f"[green]✓[/] domain [bold]{names.domain}[/] (package {names.package}, entity {names.entity}, "
        f"port {scaffolded.port}) in {escape(str(scaffolded.root))}:"
    )
    for file in scaffolded.files:
        console.print(f"  created {escape(str(file.relative_to(scaffolded.root)))}")
    if scaffolded.first_party_registered:
        console.print(f"  updated pyproject.toml: {names.package} is first-party for ruff's import sorting")
    console.print(
        f"  data product [bold]{names.product}[/] v1: GET /data-products/{names.product}/v1, topic "
        f"{names.domain}.{names.product}.v1, events octagon.{names.domain}.{names.entity}.{{registered,retired}}.v1"
    )
    console.print(
        f"  commands: POST /{names.product} (register), POST /{names.product}/{{{names.key}}}/retirement (retire)"
    )


def _print_next_steps(console: Console, scaffolded: ScaffoldedDomain, *, installed: bool) -> None:
    names, root = scaffolded.names, scaffolded.root
    domain_dir = scaffolded.domain_dir.relative_to(root)
    steps = []
    if not installed:
        steps.append(f"install it so `mesh up` starts it: .venv/bin/pip install -e {domain_dir}")
    if not scaffolded.first_party_registered:
        steps.append(f'add "{names.package}" to known-first-party under [tool.ruff.lint.isort] (import sorting)')
    steps += [
        f"check the contract: mesh contracts lint {scaffolded.contract_file.relative_to(root)}",
        f"run its tests: .venv/bin/pytest {domain_dir}/tests",
        f"start the mesh: mesh up (it serves on port {scaffolded.port}, or {names.env}_PORT; "
        f"its store is {names.env}_DATABASE_URL or a SQLite file in the run directory)",
        "describe the product for real (purpose, usage, limitations, tags) and add its own fields; "
        "set status: active when consumers may rely on it",
        f"for the distributed deployment, add the service {names.domain} (built from {domain_dir}/Dockerfile) to "
        f"docker-compose.yml and a database and role for it to deploy/postgres/init.sh",
    ]
    console.print("Next steps:")
    for number, step in enumerate(steps, start=1):
        console.print(f"  {number}. {escape(step)}")
