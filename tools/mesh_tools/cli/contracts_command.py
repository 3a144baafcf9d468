"""``mesh contracts lint`` and ``mesh contracts check``. Exit codes: 0 ok, 1 check failed, 2 usage error."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from mesh_platform.contracts.compatibility import Impact
from mesh_platform.contracts.errors import ContractsDirNotFound, GitError
from mesh_platform.contracts.loading import default_contracts_dir
from mesh_tools.contracts.check import CheckReport, ProductCheck, check_contracts
from mesh_tools.contracts.lint import LintReport, lint_paths

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

contracts_app = typer.Typer(
    name="contracts",
    help="Lint data contracts and check changes for breaking ones.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="text for people, json for tools.")]


@contracts_app.command("lint")
def lint_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Contract files or directories (default: the mesh's contracts/ directory)."),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Check contracts against ODCS v3.1.0 and our rules (owner, SLOs, descriptions, classification, PII)."""
    console, errors = Console(soft_wrap=True, highlight=False), Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        targets = list(paths) if paths else [default_contracts_dir()]
        report = lint_paths(targets)
    except (ContractsDirNotFound, FileNotFoundError) as e:
        errors.print(f"[red]error:[/] {escape(str(e))}")
        raise typer.Exit(EXIT_USAGE) from None
    if output_format is OutputFormat.json:
        console.print_json(
            json.dumps({"ok": report.ok, "files": report.files, "findings": [asdict(f) for f in report.findings]})
        )
    else:
        _print_lint(console, report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


@contracts_app.command("check")
def check_command(
    base: Annotated[
        str | None, typer.Option("--base", help="Git revision to compare with (default: the merge base with main).")
    ] = None,
    contracts_dir: Annotated[
        Path | None, typer.Option("--contracts-dir", help="The contracts/ directory (default: found upwards).")
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Classify every contract change since BASE; fail on breaking changes without a major bump and on versions
    that do not account for a schema change."""
    console, errors = Console(soft_wrap=True, highlight=False), Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        directory = contracts_dir or default_contracts_dir()
        if not directory.is_dir():
            raise ContractsDirNotFound(f"{directory} is not a directory")
        report = check_contracts(directory, base)
    except (ContractsDirNotFound, GitError) as e:
        errors.print(f"[red]error:[/] {escape(str(e))}")
        raise typer.Exit(EXIT_USAGE) from None
    if output_format is OutputFormat.json:
        console.print_json(json.dumps(_check_json(report), default=str))
    else:
        _print_check(console, report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


def _print_lint(console: Console, report: LintReport) -> None:
    for finding in report.findings:
        mark = "[red]✗ error[/]" if finding.severity == "error" else "[yellow]! warning[/]"
        console.print(
            f"{mark} {escape(finding.file)}: {escape(finding.path or '(document)')}: "
            f"{escape(finding.message)} [dim]\\[{escape(finding.rule)}][/]"
        )
    summary = f"{len(report.files)} contract(s), {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    console.print(f"[green]✓[/] {summary}" if report.ok else f"[red]✗[/] {summary}")


_IMPACT_STYLE = {Impact.BREAKING: "red", Impact.COMPATIBLE: "yellow", Impact.DOCUMENTATION: "dim"}


def _print_check(console: Console, report: CheckReport) -> None:
    console.print(f"Contracts compared with {escape(report.base_ref)} ({report.base_commit[:12]})")
    for product in report.products:
        _print_product(console, product)
    for note in report.notes:
        console.print(f"[dim]note: {escape(note)}[/]")
    failures = report.failures
    if failures:
        console.print(f"[red]✗ {len(failures)} problem(s):[/]")
        for failure in failures:
            console.print(
                f"  [red]✗[/] {escape(_display(failure.file))}: {escape(failure.path)}: "
                f"{escape(_shown(failure.before))} → {escape(_shown(failure.after))}: "
                f"{escape(failure.reason)}"
            )
    else:
        console.print(f"[green]✓[/] {len(report.products)} contract version(s) checked, no problems")


def _print_product(console: Console, product: ProductCheck) -> None:
    domain, name, major = product.identity
    versions = f"{product.base_version or '-'} → {product.version or '-'}"
    console.print(f"[bold]{escape(domain)}/{escape(name)} v{major}[/] ({escape(product.verdict)}, {versions})")
    for change in product.changes:
        style = _IMPACT_STYLE[change.impact]
        console.print(
            f"  [{style}]{change.impact.value:<13}[/] {escape(change.path)}: "
            f"{escape(_shown(change.before))} → {escape(_shown(change.after))} "
            f"[dim]({escape(change.rule)}: {escape(change.reason)})[/]"
        )


def _display(file: str) -> str:
    """``file`` relative to the working directory when it is below it (shorter, clickable in terminals)."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


def _shown(value: Any) -> str:
    return "-" if value is None else json.dumps(value, default=str) if not isinstance(value, str) else value


def _check_json(report: CheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "base_ref": report.base_ref,
        "base_commit": report.base_commit,
        "notes": report.notes,
        "products": [
            {
                "domain": product.identity[0],
                "product": product.identity[1],
                "major": product.identity[2],
                "file": product.file,
                "verdict": product.verdict,
                "base_version": product.base_version,
                "version": product.version,
                "changes": [{**asdict(change), "impact": change.impact.value} for change in product.changes],
                "failures": [asdict(failure) for failure in product.failures],
            }
            for product in report.products
        ],
    }
