"""ACLs of the event plane: who may write, read and join which consumer group, turned into Kafka ACL bindings.

The functions that build bindings are pure; :class:`AclAdmin` applies them with a Kafka admin client and writes one
audit line per grant (logger ``mesh.audit``). :func:`product_read_acls` is the one place that says what "principal X
may read product P major M" means on Kafka: provisioning applies it to declared subscriptions where no catalog decides
(a bare broker, tests), and :mod:`mesh_tools.event_plane.acl_reconciler` to the catalog's approved grants.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)

from mesh_platform.kafka.event_plane import EventPlane, ReadGrant

audit = logging.getLogger("mesh.audit")

ANY_HOST = "*"
# A writer also describes its topics (metadata) and reads their configs (the start-up check of partitions, retention).
_WRITE_OPERATIONS = (ACLOperation.WRITE, ACLOperation.DESCRIBE, ACLOperation.DESCRIBE_CONFIGS)
_READ_OPERATIONS = (ACLOperation.READ, ACLOperation.DESCRIBE, ACLOperation.DESCRIBE_CONFIGS)
# READ to join and commit; DESCRIBE for lag; DELETE so `mesh replay` can forget the group's offsets.
_GROUP_OPERATIONS = (ACLOperation.READ, ACLOperation.DESCRIBE, ACLOperation.DELETE)


def user(principal: str) -> str:
    """The Kafka principal of a SCRAM user, ``User:<name>``."""
    return principal if principal.startswith("User:") else f"User:{principal}"


def _allow(principal: str, operation: ACLOperation, resource_type: ResourceType, name: str) -> ACL:
    return ACL(
        user(principal),
        ANY_HOST,
        operation,
        ACLPermissionType.ALLOW,
        ResourcePattern(resource_type, name, ACLResourcePatternType.LITERAL),
    )


def topic_write_acls(principal: str, topics: Iterable[str]) -> list[ACL]:
    """``principal`` may publish to ``topics`` (and only them: literal names, no prefixes)."""
    return [_allow(principal, op, ResourceType.TOPIC, topic) for topic in topics for op in _WRITE_OPERATIONS]


def topic_read_acls(principal: str, topic: str) -> list[ACL]:
    """``principal`` may consume ``topic``."""
    return [_allow(principal, op, ResourceType.TOPIC, topic) for op in _READ_OPERATIONS]


def product_read_acls(principal: str, domain: str, product: str, major: int) -> list[ACL]:
    """What "``principal`` may read major ``major`` of ``domain``'s ``product``" grants on Kafka.

    The topic follows the mesh's naming (``<domain>.<product>.v<major>``, DESIGN §5); one major's grant does not
    open another major.
    """
    return topic_read_acls(principal, f"{domain}.{product}.v{major}")


def group_acls(principal: str, group: str) -> list[ACL]:
    """``principal`` may join, describe and delete consumer group ``group`` (literal: no other group)."""
    return [_allow(principal, op, ResourceType.GROUP, group) for op in _GROUP_OPERATIONS]


def dead_letter_read_acls(principal: str, topics: Iterable[str]) -> list[ACL]:
    """``principal`` may read its own dead-letter topics (``mesh dlq list|show|redrive`` runs in its service)."""
    return [acl for topic in topics for acl in topic_read_acls(principal, topic)]


def domain_acls(plane: EventPlane, principal: str) -> list[ACL]:
    """Every ACL of one domain's principal: its own topics, its granted reads, its own consumer group."""
    acls = topic_write_acls(principal, [spec.name for spec in plane.written_by(principal)])
    acls += dead_letter_read_acls(principal, _dead_letters(plane, principal))
    for grant in plane.read_by(principal):
        acls += product_read_acls(grant.principal, grant.domain, grant.product, grant.major)
    for spec in plane.topics:
        if principal in spec.readers:
            acls += topic_read_acls(principal, spec.name)
    group = plane.consumer_groups.get(principal)
    if group is not None:
        acls += group_acls(principal, group)
    return acls


def _dead_letters(plane: EventPlane, principal: str) -> list[str]:
    return [spec.name for spec in plane.written_by(principal) if spec.kind == "dead-letter"]


@dataclass(frozen=True)
class GrantRecord:
    """One grant applied, as the audit log states it."""

    principal: str
    resource: str
    operations: tuple[str, ...]
    reason: str

    def line(self) -> str:
        """The audit line: who may do what on which resource, and why."""
        return f"grant {user(self.principal)} {','.join(self.operations)} on {self.resource}: {self.reason}"


class AclAdmin:
    """Applies and inspects ACLs through a ``KafkaAdminClient`` (which must act as a super user)."""

    def __init__(self, admin: Any) -> None:
        self.admin = admin

    def apply_plane(self, plane: EventPlane, *, declared_reads: bool = True) -> list[GrantRecord]:
        """Create every ACL of every principal of ``plane`` (existing bindings are left as they are).

        ACLs added outside the plane (e.g. by approved access requests) are not removed. Without
        ``declared_reads`` the subscriptions' read ACLs are left to the catalog's grants (the ACL reconciler).
        """
        records: list[GrantRecord] = []
        for principal in plane.principals:
            writes = [spec.name for spec in plane.written_by(principal)]
            if writes:
                records.append(
                    self._grant(topic_write_acls(principal, writes), principal, f"topics {', '.join(writes)}",
                                _WRITE_OPERATIONS, "owner of these topics")
                )
            dead_letters = _dead_letters(plane, principal)
            if dead_letters:
                records.append(
                    self._grant(dead_letter_read_acls(principal, dead_letters), principal,
                                f"topics {', '.join(dead_letters)}", _READ_OPERATIONS,
                                "its own dead-letter topic (inspect and re-drive parked events)")
                )
            group = plane.consumer_groups.get(principal)
            if group is not None:
                records.append(
                    self._grant(group_acls(principal, group), principal, f"group {group}", _GROUP_OPERATIONS,
                                "the domain's own consumer group")
                )
        for spec in plane.topics:
            for reader in spec.readers:  # a topic whose audience is fixed (the catalog's notifications)
                records.append(self._grant(topic_read_acls(reader, spec.name), reader, f"topic {spec.name}",
                                           _READ_OPERATIONS, f"audience of {spec.name}"))
        for grant in plane.grants if declared_reads else []:
            records.append(self.grant_read(grant))
        return records

    def grant_read(self, grant: ReadGrant) -> GrantRecord:
        """Let ``grant.principal`` read the granted product major; logs the audit line (reusable by approvals)."""
        acls = product_read_acls(grant.principal, grant.domain, grant.product, grant.major)
        return self._grant(acls, grant.principal, f"topic {grant.topic}", _READ_OPERATIONS, grant.reason)

    def revoke_read(self, principal: str, domain: str, product: str, major: int, reason: str) -> int:
        """Remove ``principal``'s read grant on one product major; returns how many bindings were deleted."""
        deleted = self.delete(product_read_acls(principal, domain, product, major))
        audit.info("revoke %s read on topic %s.%s.v%d: %s", user(principal), domain, product, major, reason)
        return deleted

    def bindings(self, principal: str | None = None) -> list[ACL]:
        """The ACL bindings on the cluster (of ``principal`` only, if given)."""
        acl_filter = ACLFilter(
            user(principal) if principal else None,
            None,
            ACLOperation.ANY,
            ACLPermissionType.ANY,
            ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
        )
        acls, error = self.admin.describe_acls(acl_filter)
        if error is not None and getattr(error, "errno", 0) != 0:
            raise error(f"describing ACLs for {principal or 'every principal'}")
        return list(acls)

    def _grant(
        self, acls: Sequence[ACL], principal: str, resource: str, operations: Sequence[ACLOperation], reason: str
    ) -> GrantRecord:
        self.create(acls)
        record = GrantRecord(principal, resource, tuple(op.name for op in operations), reason)
        audit.info(record.line())
        return record

    def create(self, acls: Sequence[ACL]) -> None:
        """Create ``acls`` (existing ones are left as they are); :class:`RuntimeError` names a refused one."""
        if not acls:
            return
        result = self.admin.create_acls(list(acls))
        failed = result.get("failed") or []
        if failed:
            acl, error = failed[0]
            raise RuntimeError(f"creating ACL {acl} failed: {error}")

    def delete(self, acls: Sequence[ACL]) -> int:
        """Delete exactly ``acls`` (same principal, host, operation, permission and pattern); returns how many went."""
        if not acls:
            return 0
        filters = [
            ACLFilter(
                acl.principal,
                acl.host,
                acl.operation,
                acl.permission_type,
                ResourcePatternFilter(
                    acl.resource_pattern.resource_type,
                    acl.resource_pattern.resource_name,
                    acl.resource_pattern.pattern_type,
                ),
            )
            for acl in acls
        ]
        results = self.admin.delete_acls(filters)
        return sum(len(matches) for _filter, matches, _error in results)
