"""The services' side of Kafka: client settings, the event plane derived from the contracts, the start-up topic check.

Starting brokers and provisioning topics, users and ACLs is tooling: :mod:`mesh_tools.broker` and
:mod:`mesh_tools.event_plane` in the ``octagon-mesh-tools`` distribution, which no service image installs.
"""
