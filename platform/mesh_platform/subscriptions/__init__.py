"""Idempotent subscriptions to other domains' topics, with a dead-letter topic per subscriber."""

from mesh_platform.subscriptions.subscriber import EventHandler, HandlingFailed, Subscription

__all__ = ["EventHandler", "HandlingFailed", "Subscription"]
