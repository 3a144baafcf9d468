"""Provisioning the event plane: topics created or checked, SCRAM users, ACLs — ``mesh topics apply`` and ``mesh up``.

Topics are compared with their specs (partitions, replication factor, managed configs). What can be put right
safely is: a missing topic is created, a drifted config is set back. What cannot is reported as a mismatch and
left alone: fewer partitions than declared (adding some would move keys to other partitions and break per-key
order), more partitions (Kafka cannot remove any), another replication factor (needs a reassignment plan).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, UserScramCredentialUpsertion
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from mesh_platform.kafka.client import SCRAM_MECHANISM, KafkaClientSettings, kafka_client_kwargs
from mesh_platform.kafka.event_plane import EventPlane, TopicSpec
from mesh_platform.kafka.topic_state import TopicState, TopicStatus, describe_topics
from mesh_tools.event_plane.acls import AclAdmin, GrantRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicFinding:
    """What provisioning found (and did) for one topic."""

    topic: str
    status: TopicStatus
    details: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """A mismatch that was not put right, or a topic that is not there."""
        return self.status in ("mismatch", "missing", "unauthorized")


@dataclass
class ProvisioningReport:
    """Every topic's finding (and its spec as fitted to the cluster), the users written and the grants applied."""

    topics: list[TopicFinding] = field(default_factory=list)
    specs: list[TopicSpec] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    grants: list[GrantRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No topic left missing or mismatched."""
        return not any(finding.failed for finding in self.topics)


def differences(spec: TopicSpec, state: TopicState) -> tuple[list[str], list[str]]:
    """How ``state`` departs from ``spec``: (config drift that can be set back, mismatches that cannot)."""
    fixable: list[str] = []
    unfixable: list[str] = []
    if state.partitions < spec.partitions:
        unfixable.append(
            f"partitions: {state.partitions}, contract says {spec.partitions} (adding partitions moves keys and "
            "breaks per-key order; recreate the topic or change the contract)"
        )
    elif state.partitions > spec.partitions:
        unfixable.append(f"partitions: {state.partitions}, contract says {spec.partitions} (Kafka cannot remove any)")
    if state.replication_factor != spec.replication_factor:
        unfixable.append(
            f"replication factor: {state.replication_factor}, expected {spec.replication_factor} "
            "(reassign the partitions with kafka-reassign-partitions)"
        )
    for key, wanted in sorted(spec.config.items()):
        actual = state.config.get(key)
        if actual != wanted:
            fixable.append(f"{key}: {actual}, expected {wanted}")
    return fixable, unfixable


class EventPlaneProvisioner:
    """Applies an :class:`EventPlane` with a super user's admin client."""

    def __init__(
        self,
        admin_settings: KafkaClientSettings,
        *,
        production: bool | None = None,
        max_replication_factor: int | None = None,
    ) -> None:
        self.admin_settings = admin_settings
        self.production = admin_settings.environment == "prod" if production is None else production
        self.max_replication_factor = max_replication_factor

    def admin_client(self) -> KafkaAdminClient:
        """An admin client as the provisioning super user."""
        return KafkaAdminClient(
            **kafka_client_kwargs(self.admin_settings),
            client_id="mesh-provisioning",
            request_timeout_ms=15_000,
            bootstrap_timeout_ms=10_000,
        )

    def apply(
        self,
        plane: EventPlane,
        passwords: Mapping[str, str] | None = None,
        *,
        dry_run: bool = False,
        declared_reads: bool = True,
    ) -> ProvisioningReport:
        """Create missing topics and set drifted configs back, write the SCRAM users in ``passwords``, apply ACLs.

        ``dry_run`` only checks (``mesh topics list``): nothing is created or changed. Without ``declared_reads``
        the subscriptions' read ACLs are not granted here: the catalog's approved grants give them (through
        :class:`~mesh_tools.event_plane.acl_reconciler.AclReconciler`), as ``mesh up`` does.
        """
        report = ProvisioningReport()
        with self.admin_client() as admin:
            report.specs = self._fit_to_cluster(admin, plane.topics, report)
            report.topics = self._apply_topics(admin, report.specs, dry_run=dry_run)
            if not dry_run:
                if passwords:
                    report.users = self._upsert_users(admin, passwords)
                report.grants = AclAdmin(admin).apply_plane(plane, declared_reads=declared_reads)
        return report

    def _fit_to_cluster(self, admin: Any, specs: Sequence[TopicSpec], report: ProvisioningReport) -> list[TopicSpec]:
        brokers = len(admin.describe_cluster()["brokers"])
        if self.max_replication_factor is not None:
            # The operator said how many replicas this cluster holds (KAFKA_MAX_REPLICATION_FACTOR).
            limit = min(self.max_replication_factor, brokers)
            if any(spec.replication_factor > limit for spec in specs):
                report.notes.append(f"replication factor and min.insync.replicas capped at {limit} "
                                    "(KAFKA_MAX_REPLICATION_FACTOR)")
            return [spec.for_cluster(limit) for spec in specs]
        short = sorted({spec.replication_factor for spec in specs if spec.replication_factor > brokers})
        if not short:
            return list(specs)
        if self.production:
            raise ProvisioningError(
                f"the cluster has {brokers} broker(s) but the contracts ask for replication factor {short[-1]}; "
                "production topics are not created with fewer replicas than declared (set "
                "KAFKA_MAX_REPLICATION_FACTOR to accept fewer on purpose)"
            )
        report.notes.append(
            f"{brokers}-broker cluster: replication factor and min.insync.replicas capped at {brokers} "
            "(outside MESH_ENV=prod only)"
        )
        return [spec.for_cluster(brokers) for spec in specs]

    def _apply_topics(self, admin: Any, specs: Sequence[TopicSpec], *, dry_run: bool) -> list[TopicFinding]:
        states = describe_topics(admin, [spec.name for spec in specs])
        findings: dict[str, TopicFinding] = {}
        missing = [spec for spec in specs if states.get(spec.name) == "missing"]
        for spec in specs:
            state = states.get(spec.name)
            if state == "unauthorized":
                findings[spec.name] = TopicFinding(spec.name, "unauthorized", ("the admin principal may not see it",))
            elif isinstance(state, TopicState):
                findings[spec.name] = self._reconcile(admin, spec, state, dry_run=dry_run)
        if missing and dry_run:
            for spec in missing:
                findings[spec.name] = TopicFinding(spec.name, "missing", ("not created yet: run `mesh topics apply`",))
        elif missing:
            for finding in self._create(admin, missing):
                findings[finding.topic] = finding
        return [findings[spec.name] for spec in specs]

    def _reconcile(self, admin: Any, spec: TopicSpec, state: TopicState, *, dry_run: bool) -> TopicFinding:
        fixable, unfixable = differences(spec, state)
        if fixable and not dry_run:
            admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, spec.name, configs=dict(spec.config))]
            )
            log.info("topic %s: configs set back: %s", spec.name, "; ".join(fixable))
        if unfixable:
            return TopicFinding(spec.name, "mismatch", tuple(unfixable + fixable))
        if fixable:
            return TopicFinding(spec.name, "mismatch" if dry_run else "fixed", tuple(fixable))
        return TopicFinding(spec.name, "ok")

    def _create(self, admin: Any, specs: Sequence[TopicSpec]) -> list[TopicFinding]:
        requested = {
            spec.name: {
                "num_partitions": spec.partitions,
                "replication_factor": spec.replication_factor,
                "configs": dict(spec.config),
            }
            for spec in specs
        }
        response = admin.create_topics(requested, raise_errors=False)
        created, findings = [], []
        for result in response["topics"]:
            error = for_code(result["error_code"])
            if result["error_code"] == 0:
                created.append(result["name"])
                findings.append(TopicFinding(result["name"], "created"))
            elif error is TopicAlreadyExistsError:  # another provisioner won the race: it is there now
                findings.append(TopicFinding(result["name"], "ok", ("created concurrently",)))
            else:
                raise ProvisioningError(f"creating topic {result['name']}: {error.__name__}: {result.get('error_message')}")
        if created:
            # Only once every partition has a leader can a producer use the topic right away.
            admin.wait_for_topics(created, timeout_ms=30_000)
        return findings

    def _upsert_users(self, admin: Any, passwords: Mapping[str, str]) -> list[str]:
        upserts = [UserScramCredentialUpsertion(name, SCRAM_MECHANISM, password) for name, password in passwords.items()]
        errors = admin.alter_user_scram_credentials(upserts)
        failed = {name: error for name, error in errors.items() if error}
        if failed:
            raise ProvisioningError(f"writing SCRAM credentials failed: {failed}")
        return sorted(passwords)


class ProvisioningError(Exception):
    """The event plane could not be applied (a refused creation, a cluster too small for production...)."""


def provisioning_failure(error: KafkaError | OSError, bootstrap_servers: str) -> ProvisioningError:
    """A broker-level failure in words: what was tried, against what, and the underlying error."""
    return ProvisioningError(f"provisioning the event plane on {bootstrap_servers} failed: {type(error).__name__}: {error}")


def topic_names(specs: Iterable[TopicSpec]) -> list[str]:
    """The names of ``specs``."""
    return [spec.name for spec in specs]
