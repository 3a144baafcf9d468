"""What runs inside a domain service besides its own logic: store, relay, subscriptions, the HTTP edge."""

from mesh_platform.runtime.domain_service import DomainService

__all__ = ["DomainService"]
