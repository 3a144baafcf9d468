"""AsyncAPI 3.0 document of a domain's event output ports, derived from its contracts (served at /asyncapi.json).

One channel per topic (``<domain>.<product>.v<major>``), one message per CloudEvents type with the Kafka binary-mode
``ce_*`` headers and the event's closed data schema as payload, and one ``send`` operation per channel.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from mesh_platform.contracts.product import DataProductContract

ASYNCAPI_VERSION = "3.0.0"
KAFKA_SERVER_ID = "mesh-kafka"
KAFKA_BINDING_VERSION = "0.5.0"


def asyncapi_document(
    domain: str,
    contracts: Iterable[DataProductContract],
    *,
    kafka_bootstrap_servers: str = "127.0.0.1:9092",
    catalog_url: str = "http://127.0.0.1:8000",
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of ``domain``'s topics (only the given contracts of that domain are included)."""
    owned = [c for c in contracts if c.domain == domain]
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for contract in owned:
        channel_id = contract.topic
        channel_messages: dict[str, Any] = {}
        for event_type in contract.event_types:
            message_id = event_type
            messages[message_id] = _message(contract, event_type, catalog_url)
            schema = copy.deepcopy(contract.event_schema(event_type))
            schema.pop("$schema", None)
            schemas[message_id] = schema
            channel_messages[message_id] = {"$ref": f"#/components/messages/{message_id}"}
        channels[channel_id] = {
            "address": contract.topic,
            "title": f"{contract.id} v{contract.major}",
            "description": _describe(contract),
            "servers": [{"$ref": f"#/servers/{KAFKA_SERVER_ID}"}],
            "messages": channel_messages,
        }
        operations[f"publish.{channel_id}"] = {
            "action": "send",
            "title": f"Publish {contract.product} v{contract.major} events",
            "summary": f"The {domain} domain publishes every change of {contract.product} (event-carried state).",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in channel_messages],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": f"urn:octagon:mesh:{domain}",
        "info": {
            "title": f"Octagon Mesh {domain} events",
            "version": _document_version(owned),
            "description": f"Events the {domain} domain publishes, derived from its data contracts (ODCS v3.1.0). "
            "CloudEvents 1.0 in Kafka binary mode: the value is the JSON data, the ce_* headers "
            "carry the envelope, the record key is the product's key.",
        },
        "defaultContentType": "application/json",
        "servers": {
            KAFKA_SERVER_ID: {
                "host": kafka_bootstrap_servers,
                "protocol": "kafka",
                "description": "The mesh's Kafka broker (KAFKA_BOOTSTRAP_SERVERS). Clients authenticate with "
                "SASL/SCRAM-SHA-512 as their domain's principal; ACLs admit reads only of granted product majors.",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "securitySchemes": {
                "scram": {"type": "scramSha512", "description": "SASL/SCRAM-SHA-512 as your domain's principal."}
            },
        },
    }


def _message(contract: DataProductContract, event_type: str, catalog_url: str) -> dict[str, Any]:
    spec = contract.event_type_spec(event_type)
    key = contract.field(contract.key_field)
    key_schema: dict[str, Any] = {"type": "string", "description": f"The record's {contract.key_field}."}
    if key.options.get("format"):
        key_schema["format"] = key.options["format"]
    return {
        "name": event_type,
        "title": event_type,
        "summary": spec.description or event_type,
        "contentType": "application/json",
        "headers": _headers(contract, event_type, catalog_url),
        "payload": {"$ref": f"#/components/schemas/{event_type}"},
        "bindings": {"kafka": {"key": key_schema, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _headers(contract: DataProductContract, event_type: str, catalog_url: str) -> dict[str, Any]:
    base = catalog_url.rstrip("/")
    return {
        "type": "object",
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": {"type": "string", "description": "Unique per event; subscribers deduplicate on it."},
            "ce_source": {"type": "string", "const": f"/domains/{contract.domain}"},
            "ce_type": {"type": "string", "const": event_type},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_dataschema": {
                "type": "string",
                "format": "uri",
                "description": "The contract in the catalog.",
                "examples": [
                    f"{base}/api/v1/data-products/{contract.domain}/{contract.product}/v{contract.major}/contract"
                ],
            },
            "content-type": {"type": "string", "const": "application/json"},
        },
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
    }


def _describe(contract: DataProductContract) -> str:
    purpose = contract.odcs.description.purpose if contract.odcs.description else None
    return (purpose or contract.id).strip()


def _document_version(contracts: list[DataProductContract]) -> str:
    """The versions of the contracts described: the document changes whenever one of them does."""
    return ", ".join(f"{c.product} {c.version}" for c in sorted(contracts, key=lambda c: c.identity)) or "none"
