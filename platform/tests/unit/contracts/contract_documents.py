"""What the contract tests share: where the real contracts are, editable copies of them, throw-away git repos."""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mesh_platform.contracts.product import DataProductContract

REPO_ROOT = Path(__file__).resolve().parents[4]
CONTRACTS_DIR = REPO_ROOT / "contracts"
SHARED_ODCS_SCHEMA = REPO_ROOT.parent / "shared" / "specs" / "odcs" / "odcs-json-schema-v3.1.0.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
WEIGHT_CLASSES = [
    "flyweight",
    "bantamweight",
    "featherweight",
    "lightweight",
    "welterweight",
    "middleweight",
    "light_heavyweight",
    "heavyweight",
    "womens_strawweight",
    "womens_flyweight",
    "womens_bantamweight",
    "womens_featherweight",
]
FIGHTER = {
    "fighter_id": "0b7e2f4c-91d3-4a57-8c6e-3f1a2b9d4e70",
    "name": "Aoife Byrne",
    "nickname": "The Banshee",
    "date_of_birth": "1996-11-02",
    "nationality": "IE",
    "weight_class": "womens_strawweight",
    "stance": "southpaw",
    "height_cm": 160,
    "reach_cm": 163,
    "status": "active",
    "registered_at": "2019-03-04T10:15:00Z",
    "updated_at": "2024-06-30T08:00:12.512+00:00",
}
"""A realistic fighters v1 record."""
OPTIONAL_FIELD = {
    "name": "instagram_handle",
    "logicalType": "string",
    "required": False,
    "classification": "public",
    "description": "The fighter's public social media handle.",
    "examples": ["@banshee"],
}
"""An optional property that lints clean, to add to a record."""
PRODUCTS = [
    ("roster", "fighters"),
    ("schedule", "event-cards"),
    ("schedule", "bouts"),
    ("results", "bout-results"),
    ("stats", "fighter-records"),
    ("stats", "rankings"),
]


class ContractDocuments:
    """Fresh, editable copies of the repository's contract documents, and ways to write and build them."""

    def load(self, domain: str, product: str) -> dict[str, Any]:
        text = (CONTRACTS_DIR / domain / f"{product}.odcs.yaml").read_text(encoding="utf-8")
        return yaml.safe_load(text)

    def text(self, domain: str, product: str) -> str:
        return (CONTRACTS_DIR / domain / f"{product}.odcs.yaml").read_text(encoding="utf-8")

    @staticmethod
    def load_copy(document: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(document)

    @staticmethod
    def prop(document: dict[str, Any], name: str) -> dict[str, Any]:
        """The record's property ``name`` (``judges_scores.red`` reaches into array items and objects)."""
        properties = document["schema"][0]["properties"]
        node: dict[str, Any] = {}
        for part in name.split("."):
            node = next(p for p in properties if p["name"] == part)
            inner = node.get("items", node)
            properties = inner.get("properties", [])
        return node

    @staticmethod
    def kafka(document: dict[str, Any]) -> dict[str, Any]:
        return next(s for s in document["servers"] if s["type"] == "kafka")

    @staticmethod
    def custom(owner: dict[str, Any], name: str) -> dict[str, Any]:
        return next(p for p in owner["customProperties"] if p["property"] == name)

    @staticmethod
    def write(root: Path, document: dict[str, Any], relative: str) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # Contracts link their fields to the business glossary beside them; a copy brings it along.
        if len(Path(relative).parts) == 2 and not (root / "glossary").exists():
            shutil.copytree(CONTRACTS_DIR / "glossary", root / "glossary")
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    @staticmethod
    def build(document: dict[str, Any], source: str = "test.odcs.yaml") -> DataProductContract:
        return DataProductContract.from_document(copy.deepcopy(document), source)


class GitWorkTree:
    """A throw-away git repository holding a contracts/ directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.contracts = root / "contracts"
        self.contracts.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "tests@octagon.example")
        self.git("config", "user.name", "tests")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")


# edits of contract documents ------------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]
"""A change to a contract document, in place."""


def set_attribute(path: str, value: Any) -> Edit:
    """Set a record property's attribute: ``set_attribute("height_cm.logicalType", "int")``."""
    name, attribute = path.rsplit(".", 1)

    def edit(document: dict[str, Any]) -> None:
        ContractDocuments.prop(document, name)[attribute] = value

    return edit


def drop_attribute(path: str) -> Edit:
    name, attribute = path.rsplit(".", 1)

    def edit(document: dict[str, Any]) -> None:
        ContractDocuments.prop(document, name).pop(attribute)

    return edit


def add_property(**prop: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        document["schema"][0]["properties"].append(prop)

    return edit


def set_options(name: str, **changes: Any) -> Edit:
    """Change logicalTypeOptions of a property; a None value removes the option."""

    def edit(document: dict[str, Any]) -> None:
        options = ContractDocuments.prop(document, name).setdefault("logicalTypeOptions", {})
        for key, value in changes.items():
            if value is None:
                options.pop(key, None)
            else:
                options[key] = value

    return edit


def combined(*edits: Edit) -> Edit:
    """Apply several edits in order."""

    def edit(document: dict[str, Any]) -> None:
        for each in edits:
            each(document)

    return edit


def set_document(key: str, value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        if value is None:
            document.pop(key)
        else:
            document[key] = value

    return edit


def set_topic(value: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        ContractDocuments.custom(ContractDocuments.kafka(document), "topic")["value"] = value

    return edit


def set_first_event_type(value: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        ContractDocuments.custom(ContractDocuments.kafka(document), "eventTypes")["value"][0]["type"] = value

    return edit


def move_key_last(document: dict[str, Any]) -> None:
    properties = document["schema"][0]["properties"]
    properties.append(properties.pop(0))


def remove_owner_role(document: dict[str, Any]) -> None:
    document["team"]["members"][0]["role"] = "data steward"


def drop_sla(name: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        document["slaProperties"] = [s for s in document["slaProperties"] if s["property"] != name]

    return edit


def set_http_location(value: str) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        next(s for s in document["servers"] if s["type"] == "api")["location"] = value

    return edit


def as_major_two(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` moved to major 2: version 2.0.0, HTTP port /v2, topic .v2, event types .v2."""
    document["version"] = "2.0.0"
    api = next(s for s in document["servers"] if s["type"] == "api")
    api["location"] = api["location"].removesuffix("/v1") + "/v2"
    topic = ContractDocuments.custom(ContractDocuments.kafka(document), "topic")
    topic["value"] = topic["value"].removesuffix(".v1") + ".v2"
    for event in ContractDocuments.custom(ContractDocuments.kafka(document), "eventTypes")["value"]:
        event["type"] = event["type"].removesuffix(".v1") + ".v2"
    return document


def as_deprecated(document: dict[str, Any], sunset: str) -> dict[str, Any]:
    """``document`` marked deprecated, live until ``sunset`` (yyyy-MM-dd)."""
    document["status"] = "deprecated"
    document["customProperties"] = [{"property": "sunsetDate", "value": sunset}]
    return document
