"""Topics as the cluster has them: what a service's start-up check (:mod:`mesh_platform.kafka.topic_check`) and
``mesh topics apply`` compare with the contracts' topic specs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import for_code

TopicStatus = Literal["created", "ok", "fixed", "mismatch", "missing", "unauthorized"]
_UNKNOWN_TOPIC = 3
_TOPIC_AUTHORIZATION_FAILED = 29


@dataclass(frozen=True)
class TopicState:
    """A topic as the cluster has it."""

    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str]


def describe_topics(admin: Any, names: Sequence[str]) -> dict[str, TopicState | TopicStatus]:
    """Each of ``names`` as the cluster has it, or ``"missing"``/``"unauthorized"``."""
    if not names:
        return {}
    found: dict[str, TopicState | TopicStatus] = {}
    present: dict[str, tuple[int, int]] = {}
    for topic in admin.describe_topics(list(names)):
        name, code = topic["name"], topic["error_code"]
        if code == _UNKNOWN_TOPIC:
            found[name] = "missing"
        elif code == _TOPIC_AUTHORIZATION_FAILED:
            found[name] = "unauthorized"
        elif code != 0:
            raise for_code(code)(f"describing topic {name}")
        else:
            partitions = topic["partitions"]
            replicas = max((len(p.get("replica_nodes") or p.get("replicas") or []) for p in partitions), default=0)
            present[name] = (len(partitions), replicas)
    if present:
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in present]
        configs = admin.describe_configs(resources, config_filter="all")["topic"]
        for name, (partitions, replicas) in present.items():
            values = configs.get(name) or {}
            if not isinstance(values, dict):  # an error instead of configs: no DESCRIBE_CONFIGS on it
                found[name] = "unauthorized"
                continue
            config = {key: str(entry.get("value")) for key, entry in values.items() if isinstance(entry, dict)}
            found[name] = TopicState(name, partitions, replicas, config)
    return found
