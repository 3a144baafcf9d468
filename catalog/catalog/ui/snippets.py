"""How to consume a product version: copy-paste lines for its HTTP port and its topic."""

from __future__ import annotations

from catalog.domain.contract_view import Ports


def consume_snippets(domain: str, product: str, major: int, ports: Ports, service_url: str | None = None) -> dict[str, str]:
    """A curl line for the HTTP port (at the service URL the catalog is configured with, never one a registration
    claims) and a kafka-python consumer for the topic."""
    base = service_url or f"http://<{domain}-service>"
    url = f"{base}/data-products/{product}/v{major}"
    topic = ports.topic or f"{domain}.{product}.v{major}"
    servers = ports.bootstrap_servers or "127.0.0.1:9092"
    types = ", ".join(repr(e.type) for e in ports.event_types) or "..."
    curl = (f'# export MESH_TOKEN=$(mesh token <your client>); needs read:{domain}.{product}.v{major}\n'
            f'curl -s -H "Authorization: Bearer $MESH_TOKEN" "{url}?limit=10"')
    kafka = f'''import json
import os
from kafka import KafkaConsumer

# The brokers admit authenticated principals only, and ACLs decide what each may read: your domain's principal
# needs a read grant for {domain}.{product}.v{major} (request access in the catalog) and reads as its own group.
consumer = KafkaConsumer(
    "{topic}",
    bootstrap_servers="{servers}",
    security_protocol="SASL_PLAINTEXT",  # SASL_SSL on a managed cluster
    sasl_mechanism="SCRAM-SHA-512",
    sasl_plain_username="my-team",
    sasl_plain_password=os.environ["KAFKA_PASSWORD"],
    group_id="my-team",                # the consumer group named after your principal
    auto_offset_reset="earliest",      # the topic keeps its history: replay from the start
    enable_auto_commit=False,
)
for record in consumer:
    headers = {{key: value.decode() for key, value in record.headers}}
    if headers["ce_type"] in ({types},):
        data = json.loads(record.value)   # follows the contract at headers["ce_dataschema"]
        ...                               # handle it, then:
    consumer.commit()
'''
    return {"curl": curl, "kafka": kafka}
