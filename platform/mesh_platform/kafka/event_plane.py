"""The event plane derived from the contracts: every topic with its settings, every principal and its read grants.

* A product topic ``<domain>.<product>.v<major>`` per contract, with the partitions, replication and topic configs
  its kafka server declares in the custom property ``topicConfig`` (platform defaults where it is silent).
* A dead-letter topic ``<group>.dlq`` per subscribing domain.
* The catalog's notification topic ``catalog.notifications.v1`` (incidents, breaking changes, deprecations, sunsets as
  CloudEvents), written by the catalog's principal and readable by every domain's principal.
* A principal per domain (its SCRAM user, named after the domain), which writes its own product topics and its own
  dead-letter topic, and reads the product majors it declares in ``contracts/<domain>/subscriptions.yaml``.

Nothing here talks to Kafka: :mod:`mesh_tools.event_plane.provisioning` and :mod:`mesh_tools.event_plane.acls` apply it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from mesh_platform.contracts import ContractRegistry, DataProductContract, UnknownDataProduct
from mesh_platform.subscriptions.dead_letter import dead_letter_topic

TOPIC_CONFIG_PROPERTY = "topicConfig"
WITHHELD_FIELDS_PROPERTY = "withheldFields"
SUBSCRIPTIONS_FILE = "subscriptions.yaml"

# What a product topic gets where its contract says nothing: history kept forever (a new subscriber replays from
# the start, DESIGN §5), three partitions, three replicas of which two must acknowledge (acks=all producers).
DEFAULT_PARTITIONS = 3
DEFAULT_REPLICATION_FACTOR = 3
DEFAULT_MIN_INSYNC_REPLICAS = 2
KEEP_HISTORY = {"cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1"}
# Dead-letter topics keep every parked event until it is re-driven: losing one would lose the event for good.
DEAD_LETTER_PARTITIONS = 1
CATALOG_PRINCIPAL = "catalog"
NOTIFICATIONS_TOPIC = "catalog.notifications.v1"
# Notifications are news, not a product's history: a month is enough for a consumer that was away to catch up.
NOTIFICATIONS_RETENTION_MS = str(30 * 24 * 3600 * 1000)

# The topic configs a contract may declare (and `mesh topics apply` keeps in line); others are the cluster's affair.
MANAGED_CONFIGS = frozenset(
    {
        "cleanup.policy",
        "retention.ms",
        "retention.bytes",
        "min.insync.replicas",
        "max.message.bytes",
        "segment.ms",
        "min.compaction.lag.ms",
        "compression.type",
    }
)


class EventPlaneError(ValueError):
    """A contract or subscription declaration cannot be turned into topics and grants; the message says where."""


@dataclass(frozen=True)
class TopicSpec:
    """One topic as it must exist: name, partitions, replication factor and the configs the mesh manages."""

    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str]
    owner: str
    kind: Literal["product", "dead-letter", "notifications"]
    product: str | None = None
    major: int | None = None
    readers: tuple[str, ...] = ()
    """Principals that may read the topic whatever the catalog grants (the notification topic's audience)."""

    def for_cluster(self, brokers: int) -> TopicSpec:
        """This spec on a cluster of ``brokers`` brokers: replication and ``min.insync.replicas`` no higher than it.

        Used outside production only (a single-broker dev cluster cannot hold three replicas); production refuses
        a cluster smaller than the declared replication instead.
        """
        if brokers >= self.replication_factor:
            return self
        config = dict(self.config)
        if "min.insync.replicas" in config:
            config["min.insync.replicas"] = str(min(int(config["min.insync.replicas"]), brokers))
        return TopicSpec(
            self.name, self.partitions, brokers, config, self.owner, self.kind, self.product, self.major, self.readers
        )


@dataclass(frozen=True)
class SubscriptionDeclaration:
    """A domain's declared subscription to one product major (``contracts/<domain>/subscriptions.yaml``)."""

    subscriber: str
    consumer_group: str
    domain: str
    product: str
    major: int
    purpose: str
    source: str


@dataclass(frozen=True)
class ReadGrant:
    """Principal ``principal`` may read major ``major`` of ``domain``'s ``product`` (topic ``topic``)."""

    principal: str
    domain: str
    product: str
    major: int
    topic: str
    reason: str


@dataclass
class EventPlane:
    """Every topic, principal and grant of the mesh, derived from the contracts directory."""

    topics: list[TopicSpec]
    principals: list[str]
    consumer_groups: dict[str, str]
    grants: list[ReadGrant] = field(default_factory=list)

    @classmethod
    def from_contracts(cls, contracts_dir: Path, registry: ContractRegistry | None = None) -> EventPlane:
        """The plane of the contracts under ``contracts_dir``; :class:`EventPlaneError` names a bad declaration."""
        registry = registry or ContractRegistry.from_directory(contracts_dir)
        declarations = load_subscriptions(contracts_dir)
        return cls.derive(registry, declarations)

    @classmethod
    def derive(cls, registry: ContractRegistry, declarations: Iterable[SubscriptionDeclaration]) -> EventPlane:
        """The plane of ``registry``'s products and the domains' declared subscriptions."""
        topics = [product_topic(contract) for contract in registry]
        grants: list[ReadGrant] = []
        groups: dict[str, str] = {}
        for declaration in declarations:
            try:
                contract = registry.get(declaration.domain, declaration.product, declaration.major)
            except UnknownDataProduct as e:
                raise EventPlaneError(f"{declaration.source}: subscribes to an unknown product: {e}") from e
            grants.append(
                ReadGrant(
                    principal=declaration.subscriber,
                    domain=contract.domain,
                    product=contract.product,
                    major=contract.major,
                    topic=contract.topic,
                    reason=f"declared subscription ({declaration.source}): {declaration.purpose}",
                )
            )
            groups[declaration.subscriber] = declaration.consumer_group
        for subscriber, group in sorted(groups.items()):
            topics.append(
                TopicSpec(
                    name=dead_letter_topic(group),
                    partitions=DEAD_LETTER_PARTITIONS,
                    replication_factor=DEFAULT_REPLICATION_FACTOR,
                    config={**KEEP_HISTORY, "min.insync.replicas": str(DEFAULT_MIN_INSYNC_REPLICAS)},
                    owner=subscriber,
                    kind="dead-letter",
                )
            )
        domains = sorted({contract.domain for contract in registry} | set(groups))
        topics.append(notifications_topic(domains))
        principals = sorted({*domains, CATALOG_PRINCIPAL})
        return cls(topics=topics, principals=principals, consumer_groups=groups, grants=grants)

    def topic(self, name: str) -> TopicSpec:
        """The spec of topic ``name``; :class:`KeyError` if the plane has none."""
        for spec in self.topics:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def written_by(self, principal: str) -> list[TopicSpec]:
        """The topics ``principal`` writes: its own product topics and its dead-letter topic."""
        return [spec for spec in self.topics if spec.owner == principal]

    def read_by(self, principal: str) -> list[ReadGrant]:
        """The grants of ``principal``."""
        return [grant for grant in self.grants if grant.principal == principal]


def withheld_fields(contract: DataProductContract) -> set[str]:
    """The fields the contract's ``withheldFields`` keeps off the topic (its personal data)."""
    declared = _kafka_custom_property(contract, WITHHELD_FIELDS_PROPERTY) or []
    if not isinstance(declared, list) or not all(isinstance(name, str) for name in declared):
        raise EventPlaneError(
            f"{contract.source}: servers[kafka].customProperties[{WITHHELD_FIELDS_PROPERTY}]: must list field names"
        )
    return set(declared)


def notifications_topic(readers: Iterable[str]) -> TopicSpec:
    """The catalog's notification topic: the catalog writes, every domain reads, kept for thirty days."""
    return TopicSpec(
        name=NOTIFICATIONS_TOPIC,
        partitions=DEFAULT_PARTITIONS,
        replication_factor=DEFAULT_REPLICATION_FACTOR,
        config={"cleanup.policy": "delete", "retention.ms": NOTIFICATIONS_RETENTION_MS,
                "min.insync.replicas": str(DEFAULT_MIN_INSYNC_REPLICAS)},
        owner=CATALOG_PRINCIPAL,
        kind="notifications",
        readers=tuple(sorted(set(readers) - {CATALOG_PRINCIPAL})),
    )


def product_topic(contract: DataProductContract) -> TopicSpec:
    """The topic of one product major, with the settings its contract declares (``topicConfig``).

    Refuses a contract whose personal data would travel on the topic: every principal granted the product may read
    it, so PII fields must be listed in ``withheldFields`` (events leave them out).
    """
    exposed = contract.pii_fields - withheld_fields(contract)
    if exposed:
        raise EventPlaneError(
            f"{contract.source}: personal data {sorted(exposed)} would travel on {contract.topic}, which every "
            f"principal granted {contract.id} v{contract.major} may read; list it in the kafka server's "
            f"customProperty {WITHHELD_FIELDS_PROPERTY} and leave it out of the events"
        )
    where = f"{contract.source}: servers[kafka].customProperties[{TOPIC_CONFIG_PROPERTY}]"
    declared = _kafka_custom_property(contract, TOPIC_CONFIG_PROPERTY)
    if declared is None:
        declared = {}
    if not isinstance(declared, dict):
        raise EventPlaneError(f"{where}: must be a mapping of partitions, replicationFactor and config")
    unknown = set(declared) - {"partitions", "replicationFactor", "config"}
    if unknown:
        raise EventPlaneError(f"{where}: unknown keys {sorted(unknown)}; allowed: partitions, replicationFactor, config")
    partitions = _positive_int(declared.get("partitions", DEFAULT_PARTITIONS), f"{where}.partitions")
    replication = _positive_int(
        declared.get("replicationFactor", DEFAULT_REPLICATION_FACTOR), f"{where}.replicationFactor"
    )
    raw_config = declared.get("config") or {}
    if not isinstance(raw_config, dict):
        raise EventPlaneError(f"{where}.config: must be a mapping of Kafka topic configs")
    unmanaged = set(raw_config) - MANAGED_CONFIGS
    if unmanaged:
        raise EventPlaneError(f"{where}.config: {sorted(unmanaged)} are not managed; allowed: {sorted(MANAGED_CONFIGS)}")
    config = {
        **KEEP_HISTORY,
        "min.insync.replicas": str(DEFAULT_MIN_INSYNC_REPLICAS),
        **{key: _config_value(value) for key, value in raw_config.items()},
    }
    if int(config["min.insync.replicas"]) > replication:
        raise EventPlaneError(f"{where}.config: min.insync.replicas {config['min.insync.replicas']} > replicas {replication}")
    keeps_history = "compact" in config["cleanup.policy"] or (
        config["retention.ms"] == "-1" and config["retention.bytes"] == "-1"
    )
    if not keeps_history:
        raise EventPlaneError(
            f"{where}.config: a data-product topic keeps its history (retention.ms and retention.bytes -1, or "
            "cleanup.policy compact) so a new subscriber can replay from the start"
        )
    return TopicSpec(
        name=contract.topic,
        partitions=partitions,
        replication_factor=replication,
        config=config,
        owner=contract.domain,
        kind="product",
        product=contract.product,
        major=contract.major,
    )


def load_subscriptions(contracts_dir: Path) -> list[SubscriptionDeclaration]:
    """Every domain's declared subscriptions (``<contracts_dir>/<domain>/subscriptions.yaml``)."""
    declarations: list[SubscriptionDeclaration] = []
    for path in sorted(Path(contracts_dir).glob(f"*/{SUBSCRIPTIONS_FILE}")):
        declarations.extend(read_subscriptions(path))
    return declarations


def read_subscriptions(path: Path) -> list[SubscriptionDeclaration]:
    """The declarations of one ``subscriptions.yaml``; :class:`EventPlaneError` names the file and the entry."""
    domain = path.parent.name
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise EventPlaneError(f"{path}: cannot be read as YAML: {e}") from e
    if not isinstance(document, dict) or document.get("subscriber") != domain:
        raise EventPlaneError(f"{path}: must be a mapping whose 'subscriber' is the directory's domain {domain!r}")
    group = document.get("consumerGroup", domain)
    if group != domain:
        # DomainService names a domain's consumer group after the domain; ACLs follow that convention.
        raise EventPlaneError(f"{path}: consumerGroup must be the domain's name {domain!r}, found {group!r}")
    entries = document.get("subscriptions")
    if not isinstance(entries, list) or not entries:
        raise EventPlaneError(f"{path}: 'subscriptions' must list at least one {{product, major, purpose}}")
    declarations = []
    for index, entry in enumerate(entries):
        where = f"{path}: subscriptions[{index}]"
        if not isinstance(entry, dict) or set(entry) - {"product", "major", "purpose"}:
            raise EventPlaneError(f"{where}: needs exactly product, major and purpose")
        product_id, major, purpose = entry.get("product"), entry.get("major"), entry.get("purpose")
        if not isinstance(product_id, str) or "." not in product_id:
            raise EventPlaneError(f"{where}.product: must be '<domain>.<product>', found {product_id!r}")
        if not isinstance(major, int) or isinstance(major, bool) or major < 1:
            raise EventPlaneError(f"{where}.major: must be a positive integer, found {major!r}")
        if not isinstance(purpose, str) or not purpose.strip():
            raise EventPlaneError(f"{where}.purpose: say why the domain reads this product")
        owner, product = product_id.split(".", 1)
        if owner == domain:
            raise EventPlaneError(f"{where}: a domain does not subscribe to its own product {product_id}")
        declarations.append(
            SubscriptionDeclaration(domain, group, owner, product, major, " ".join(purpose.split()), str(path))
        )
    return declarations


def _kafka_custom_property(contract: DataProductContract, name: str) -> Any:
    for server in contract.odcs.servers or []:
        if server.type == "kafka":
            return next((p.value for p in server.customProperties or [] if p.property == name), None)
    return None


def _positive_int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise EventPlaneError(f"{where}: must be a positive integer, found {value!r}")
    return value


def _config_value(value: Any) -> str:
    # Kafka configs are strings on the wire; YAML gives ints for -1 and 2.
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
