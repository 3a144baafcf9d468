"""Octagon Mesh tooling: the ``mesh`` CLI, the ``mesh up`` launcher, the local Kafka broker, event-plane
provisioning, the domain scaffold, the contract linters and the pytest plugin.

A separate distribution (``octagon-mesh-tools``) from the runtime (``octagon-mesh-platform``, package
``mesh_platform``): it depends on the runtime, the runtime never imports it, and no service image installs it.
"""
