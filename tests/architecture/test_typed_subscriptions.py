"""Every domain subscribes the same way: by event classes generated from the producers' contracts, never by
string literals, and the generated classes are what the current contracts say."""

import importlib
import re
from pathlib import Path

import pytest

from mesh_platform.contracts import ContractRegistry
from mesh_platform.subscriptions import SubscriptionSpec
from mesh_platform.subscriptions.spec import declared_subscriptions
from mesh_tools.codegen import generate

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
SUBSCRIBERS = sorted(path.parent.name for path in CONTRACTS.glob("*/subscriptions.yaml"))


def test_the_subscribing_domains_are_the_ones_with_a_subscriptions_file():
    assert {"schedule", "results", "stats"} <= set(SUBSCRIBERS)


@pytest.mark.parametrize("domain", SUBSCRIBERS)
def test_the_consumed_events_module_is_what_the_producers_contracts_generate(domain):
    module = ROOT / "domains" / domain / domain / "adapters" / "consumed_events.py"
    assert module.exists(), f"generate it: python -m mesh_tools.codegen {domain} {module}"
    assert module.read_text() == generate(domain, CONTRACTS), (
        f"{module.relative_to(ROOT)} is stale: python -m mesh_tools.codegen {domain} "
        f"{module.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("domain", SUBSCRIBERS)
def test_the_domain_declares_one_subscription_spec_that_its_contracts_accept(domain):
    subscriptions = importlib.import_module(f"{domain}.adapters.subscriptions")
    spec = subscriptions.SUBSCRIPTION
    assert isinstance(spec, SubscriptionSpec)
    registry = ContractRegistry.from_directory(CONTRACTS)
    assert spec.problems(domain, registry, declared_subscriptions(domain, CONTRACTS)) == []


@pytest.mark.parametrize("domain", SUBSCRIBERS)
def test_no_event_type_or_topic_is_spelled_out_in_the_subscription_wiring(domain):
    source = (ROOT / "domains" / domain / domain / "adapters" / "subscriptions.py").read_text()
    literals = re.findall(r"[\"'](octagon\.[a-z.-]+\.v\d+|[a-z]+\.[a-z-]+\.v\d+)[\"']", source)
    assert literals == [], "event types and topics come from the generated classes"
