"""Idempotent subscriptions to other domains' topics, with a dead-letter topic per subscriber.

Domains declare theirs by event class (:class:`SubscriptionSpec`, over classes generated from the producers'
contracts by :mod:`mesh_tools.codegen`) and hand it to ``DomainService.subscribe``.
"""

from mesh_platform.subscriptions.messages import ConsumedData, ConsumedEvent
from mesh_platform.subscriptions.spec import SubscriptionRefused, SubscriptionSpec
from mesh_platform.subscriptions.subscriber import EventHandler, HandlingFailed, Subscription

__all__ = [
    "ConsumedData",
    "ConsumedEvent",
    "EventHandler",
    "HandlingFailed",
    "Subscription",
    "SubscriptionRefused",
    "SubscriptionSpec",
]
