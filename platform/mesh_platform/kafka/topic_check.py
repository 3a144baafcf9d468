"""The start-up check of a producer or subscriber: its topics exist, as the contracts declare them, and it may use them.

Brokers never auto-create topics, so a service whose topic is missing would otherwise start and then stall (a relay
that cannot publish, a subscription that reads nothing). Instead it waits a bounded time — provisioning may be in
progress — and then refuses to start, saying which topic is missing, misconfigured or not granted, and what to run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from mesh_platform.contracts import ContractRegistry, UnknownDataProduct
from mesh_platform.kafka.client import KafkaClientSettings, kafka_client_kwargs
from mesh_platform.kafka.event_plane import (
    DEAD_LETTER_PARTITIONS,
    KEEP_HISTORY,
    TopicSpec,
    product_topic,
)
from mesh_platform.kafka.topic_state import TopicState, describe_topics
from mesh_platform.subscriptions.dead_letter import dead_letter_topic

log = logging.getLogger(__name__)

# What a service relies on and checks itself. Replication and min.insync.replicas depend on the cluster's size and
# are `mesh topics apply`'s to check; a service only needs the topic's shape and its history kept.
CHECKED_CONFIGS = ("cleanup.policy", "retention.ms", "retention.bytes")
DEFAULT_WAIT_SECONDS = 30.0


class TopicsNotReady(RuntimeError):
    """A service's topics are missing, misconfigured or not granted; the message lists each problem and the fix."""


def topic_problems(spec: TopicSpec, state: TopicState | str | None) -> list[str]:
    """Why the topic ``state`` cannot serve ``spec`` (empty when it can)."""
    if state == "missing" or state is None:
        return [f"{spec.name}: does not exist (brokers never auto-create topics; run `mesh topics apply`)"]
    if state == "unauthorized":
        return [f"{spec.name}: this principal has no ACL on it (declare the subscription and run `mesh topics apply`)"]
    assert isinstance(state, TopicState)
    problems = []
    if state.partitions != spec.partitions:
        problems.append(f"{spec.name}: {state.partitions} partitions, the contract says {spec.partitions}")
    for key in CHECKED_CONFIGS:
        if key in spec.config and state.config.get(key) != spec.config[key]:
            problems.append(f"{spec.name}: {key}={state.config.get(key)}, the contract says {spec.config[key]}")
    return problems


def service_topics(
    domain: str, registry: ContractRegistry, *, produces: bool, subscribed: Sequence[str], group: str | None
) -> list[TopicSpec]:
    """The topics a domain's service uses: its own product topics (relay), subscribed ones and its dead-letter topic."""
    specs = [product_topic(contract) for contract in registry.for_domain(domain)] if produces else []
    for topic in subscribed:
        try:
            specs.append(product_topic(registry.for_topic(topic)))
        except UnknownDataProduct as e:
            raise TopicsNotReady(f"{domain} subscribes to {topic}, which no contract publishes") from e
    if subscribed and group is not None:
        specs.append(
            TopicSpec(dead_letter_topic(group), DEAD_LETTER_PARTITIONS, 1, dict(KEEP_HISTORY), domain, "dead-letter")
        )
    return specs


def verify_topics(
    connection: KafkaClientSettings,
    specs: Sequence[TopicSpec],
    *,
    timeout: float = DEFAULT_WAIT_SECONDS,
    poll_interval: float = 1.0,
    admin_factory: Callable[[], Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return once every topic of ``specs`` is usable; raise :class:`TopicsNotReady` after ``timeout`` seconds.

    A broker that cannot be reached is not this check's business (the relay and subscriptions retry through
    outages): it logs a warning and returns. A refused login is a configuration error and raises at once.
    """
    if not specs:
        return
    from kafka.errors import KafkaError, SaslAuthenticationFailedError

    def admin() -> Any:
        from kafka import KafkaAdminClient

        return KafkaAdminClient(**kafka_client_kwargs(connection), request_timeout_ms=5_000, bootstrap_timeout_ms=5_000)

    deadline = clock() + timeout
    problems: list[str] = []
    while True:
        try:
            client = (admin_factory or admin)()
        except SaslAuthenticationFailedError as e:
            raise TopicsNotReady(f"Kafka refused the login of {connection.principal}: {e}") from e
        except KafkaError as e:
            log.warning("cannot check topics on %s (%s); starting anyway", connection.bootstrap_servers, e)
            return
        try:
            states = describe_topics(client, [spec.name for spec in specs])
        except KafkaError as e:
            log.warning("cannot check topics on %s (%s); starting anyway", connection.bootstrap_servers, e)
            return
        finally:
            client.close()
        problems = [problem for spec in specs for problem in topic_problems(spec, states.get(spec.name))]
        if not problems:
            return
        if clock() >= deadline:
            break
        log.info("waiting for topics to be provisioned: %s", "; ".join(problems))
        sleep(poll_interval)
    raise TopicsNotReady(
        f"refusing to start: {len(problems)} topic problem(s) after waiting {timeout:.0f} s for provisioning: "
        + "; ".join(problems)
    )
