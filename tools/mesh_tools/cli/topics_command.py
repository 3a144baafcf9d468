"""``mesh topics apply|list``: the event plane provisioned from the contracts (topics, principals, ACLs).

``mesh up`` and ``mesh broker`` call :func:`provision_event_plane` before any service starts. Exit codes: 0 ok,
1 when a topic is missing (list) or mismatched in a way apply cannot fix, or the cluster cannot be provisioned.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from kafka.errors import KafkaError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mesh_platform.contracts import ContractError, ContractsDirNotFound, default_contracts_dir
from mesh_platform.kafka.client import KafkaClientSettings, KafkaSettingsError
from mesh_platform.kafka.event_plane import EventPlane, EventPlaneError
from mesh_tools.broker.credentials import PasswordStore
from mesh_tools.broker.errors import BrokerError
from mesh_tools.broker.server_config import ADMIN_USER
from mesh_tools.broker.settings import BrokerSettings
from mesh_tools.event_plane.provisioning import EventPlaneProvisioner, ProvisioningError, ProvisioningReport
from mesh_tools.launcher.acl_sync import audit_log_path
from mesh_tools.launcher.topology import env_name

CREDENTIALS_DIR = "kafka-credentials"
# Variables that carry one principal's secret: a service started by `mesh up` gets its own, never the caller's.
KAFKA_SECRET_VARIABLES = ("KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_PASSWORD_FILE")

_STATUS_STYLE = {
    "created": "green", "ok": "green", "fixed": "yellow", "mismatch": "red", "missing": "red", "unauthorized": "red"
}


def without_kafka_secrets(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` without any Kafka principal's secret (``KAFKA_USERNAME``, ``KAFKA_PASSWORD``, ``KAFKA_<X>_PASSWORD``).

    What ``mesh up`` starts services from: each then gets its own principal's secret and nobody else's.
    """
    return {
        name: value
        for name, value in environ.items()
        if name not in KAFKA_SECRET_VARIABLES and not (name.startswith("KAFKA_") and name.endswith("_PASSWORD"))
    }


def admin_settings_for(
    run_dir: Path, bootstrap_servers: str | None = None, *, local: bool | None = None
) -> KafkaClientSettings:
    """How provisioning connects: the local broker's ``admin``, or the super user the environment names.

    A broker started by ``mesh up``/``mesh broker`` keeps its admin password in ``<run dir>/kafka/secrets``;
    ``KAFKA_USERNAME``/``KAFKA_PASSWORD`` (or ``KAFKA_PASSWORD_FILE``) name the super user of an external cluster
    (``KAFKA_BOOTSTRAP_SERVERS`` set; ``local`` defaults to its absence).
    """
    broker = BrokerSettings()
    local = not broker.kafka_bootstrap_servers if local is None else local
    address = bootstrap_servers or broker.kafka_bootstrap_servers or f"127.0.0.1:{broker.kafka_port}"
    configured = KafkaClientSettings(bootstrap_servers=address)
    if not configured.uses_sasl or (not local and configured.username):
        return configured
    # A broker of this run directory (`mesh broker` in another terminal counts): its admin password is on disk.
    local_password = PasswordStore(run_dir / "kafka" / "secrets").get(ADMIN_USER)
    if local_password is None:
        raise KafkaSettingsError(
            f"no local broker's admin password in {run_dir / 'kafka' / 'secrets'}: start it with `mesh broker` "
            "(same --run-dir), or set KAFKA_BOOTSTRAP_SERVERS, KAFKA_USERNAME and KAFKA_PASSWORD for another cluster"
        )
    return configured.for_principal(ADMIN_USER, local_password)


def domain_passwords(run_dir: Path, plane: EventPlane, *, generate: bool) -> dict[str, str]:
    """The SCRAM passwords to write: ``KAFKA_<DOMAIN>_PASSWORD`` where set, else (``generate``) the run dir's own.

    Generated passwords are kept in ``<run dir>/kafka-credentials/<domain>.password`` (0600), so restarts reuse them;
    on an external cluster those already in the run directory are reused (a `mesh broker` of the same run
    directory), others are left to the cluster's operator.
    """
    store = PasswordStore(run_dir / CREDENTIALS_DIR)
    passwords: dict[str, str] = {}
    for principal in plane.principals:
        configured = os.environ.get(f"KAFKA_{env_name(principal)}_PASSWORD")
        stored = store.get_or_create(principal) if generate else store.get(principal)
        if configured or stored:
            passwords[principal] = configured or stored or ""
    return passwords


def load_plane(contracts_dir: Path | None = None) -> EventPlane:
    """The event plane of the contracts (``MESH_CONTRACTS_DIR`` or the repository's ``contracts/``)."""
    return EventPlane.from_contracts(contracts_dir or default_contracts_dir())


def provision_event_plane(
    run_dir: Path, bootstrap_servers: str, console: Console, *, local: bool, declared_reads: bool = True
) -> dict[str, dict[str, str]]:
    """Apply the event plane before services start; return each domain's Kafka environment (its own secret only).

    Without ``declared_reads`` the subscriptions' read ACLs are left to the catalog's grants (``mesh up`` runs the
    ACL reconciler). Raises :class:`BrokerError` (with the reasons) when the plane cannot be applied or a topic
    stays mismatched.
    """
    try:
        plane = load_plane()
        admin = admin_settings_for(run_dir, bootstrap_servers, local=local)
        passwords = domain_passwords(run_dir, plane, generate=local)
        report = _provisioner(admin).apply(plane, passwords, declared_reads=declared_reads)
    except (ContractError, ContractsDirNotFound, EventPlaneError, KafkaSettingsError, ProvisioningError) as e:
        raise BrokerError(f"cannot provision the event plane: {e}") from e
    except (KafkaError, OSError) as e:
        raise BrokerError(f"cannot provision the event plane on {bootstrap_servers}: {type(e).__name__}: {e}") from e
    _append_audit(run_dir, report, f"mesh up as {admin.principal}")
    created = [finding.topic for finding in report.topics if finding.status == "created"]
    console.print(
        f"[green]ready[/]    topics: {len(report.topics)} checked, {len(created)} created; "
        f"{len(report.grants)} grants for {len(plane.principals)} principals"
    )
    if not report.ok:
        raise BrokerError("topics do not match the contracts:\n" + _problems(report))
    environments: dict[str, dict[str, str]] = {}
    for principal in plane.principals:
        environment = {"KAFKA_USERNAME": principal}
        if principal in passwords:
            environment["KAFKA_PASSWORD"] = passwords[principal]
        environments[principal] = environment
    return environments


def run_topics_apply(
    run_dir: Path, console: Console, contracts_dir: Path | None = None, *, declared_reads: bool = True
) -> int:
    """Create missing topics, set drifted configs back, write users and ACLs; report every topic.

    Without ``declared_reads`` the subscriptions' read ACLs are left to the ACL reconciler (``mesh acls sync``).
    """
    return _run(run_dir, console, contracts_dir, dry_run=False, declared_reads=declared_reads)


def run_topics_list(run_dir: Path, console: Console, contracts_dir: Path | None = None) -> int:
    """List every topic the contracts derive and how the cluster has it; changes nothing."""
    return _run(run_dir, console, contracts_dir, dry_run=True)


def _run(
    run_dir: Path, console: Console, contracts_dir: Path | None, *, dry_run: bool, declared_reads: bool = True
) -> int:
    try:
        plane = load_plane(contracts_dir)
        admin = admin_settings_for(run_dir)
        local = not BrokerSettings().kafka_bootstrap_servers
        passwords = None if dry_run else domain_passwords(run_dir, plane, generate=local)
        report = _provisioner(admin).apply(plane, passwords, dry_run=dry_run, declared_reads=declared_reads)
    except (ContractError, ContractsDirNotFound, EventPlaneError, KafkaSettingsError, ProvisioningError) as e:
        console.print(f"[red]error:[/] {escape(str(e))}", highlight=False)
        return 1
    except (KafkaError, OSError) as e:
        console.print(f"[red]error:[/] the Kafka cluster did not answer: {type(e).__name__}: {escape(str(e))}")
        return 1
    _print_report(console, plane, report)
    if not dry_run:
        console.print(f"grants logged in {_append_audit(run_dir, report, f'mesh topics apply as {admin.principal}')}")
    return 0 if report.ok else 1


def _provisioner(admin: KafkaClientSettings) -> EventPlaneProvisioner:
    return EventPlaneProvisioner(admin, max_replication_factor=BrokerSettings().kafka_max_replication_factor)


def _print_report(console: Console, plane: EventPlane, report: ProvisioningReport) -> None:
    table = Table(title="Topics derived from the contracts")
    for column in ("topic", "kind", "owner", "partitions", "replicas", "retention.ms", "cleanup", "status", "details"):
        table.add_column(column)
    findings = {finding.topic: finding for finding in report.topics}
    for spec in report.specs or plane.topics:
        finding = findings[spec.name]
        style = _STATUS_STYLE[finding.status]
        table.add_row(
            spec.name, spec.kind, spec.owner, str(spec.partitions), str(spec.replication_factor),
            spec.config.get("retention.ms", ""), spec.config.get("cleanup.policy", ""),
            f"[{style}]{finding.status}[/]", escape("; ".join(finding.details)),
        )
    console.print(table)
    for note in report.notes:
        console.print(f"note: {escape(note)}", highlight=False)
    if report.users:
        console.print(f"SCRAM users written: {', '.join(report.users)}", highlight=False)
    for grant in report.grants:
        console.print(f"[dim]{escape(grant.line())}[/]", highlight=False)


def _problems(report: ProvisioningReport) -> str:
    return "\n".join(
        f"  {finding.topic}: {finding.status}: {'; '.join(finding.details)}" for finding in report.topics if finding.failed
    )


def _append_audit(run_dir: Path, report: ProvisioningReport, actor: str) -> Path:
    """Append the grants applied to ``<run dir>/logs/event-plane-audit.log`` (who, what, when, why)."""
    log_file = audit_log_path(run_dir)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with log_file.open("a") as file:
        for grant in report.grants:
            file.write(f"{now} by {actor}: {grant.line()}\n")
    return log_file
