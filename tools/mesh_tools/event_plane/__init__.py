"""Provisioning the event plane the contracts derive: topics, SCRAM users and ACLs (``mesh topics apply``, ``mesh
acls sync``, ``mesh up``)."""
