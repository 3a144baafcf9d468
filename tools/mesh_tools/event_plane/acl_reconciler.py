"""Kafka read access that follows the catalog's grants: desired = the catalog's active read grants, actual = the
broker's ACLs, the difference applied — idempotent, each change audited.

What the reconciler manages (and nothing else):

* every ALLOW ACL on a **topic resource that covers a product topic** (literal name, a prefix or ``*``) held by a
  principal other than the topic's owner. The desired ones are exactly the read operations
  (:func:`~mesh_tools.event_plane.acls.product_read_acls`) of each principal holding an active catalog grant
  ``read:<domain>.<product>.v<major>``, on topic ``<domain>.<product>.v<major>``; anything else on a product topic
  (an ACL added by hand, a prefix ACL, a revoked grant's ACL, a foreign WRITE) is removed;
* every ALLOW ACL of a principal on the **consumer group named after it** (DESIGN §5: consumer groups are per
  principal): desired while the principal holds at least one read grant, or when it is a domain's declared group
  (provisioning's); removed otherwise. Group ACLs of other names are provisioning's or the operator's.

The owner's ACLs on its own topics (write, describe), dead-letter topics, DENY ACLs and super users are
provisioning's or the operator's and are never touched. A catalog client's id is its Kafka principal
(``User:<client id>``, its SCRAM user name). The catalog never holds Kafka credentials: the reconciler runs next to
the cluster with an admin client (``mesh up`` runs it in-process; elsewhere ``mesh acls sync --watch`` runs it as a
service, or ``mesh acls sync`` as a job) and reads the grants with a token of its own.

When the grants cannot be read, nothing is changed (the broker keeps its ACLs until the catalog answers again);
:class:`GrantsUnavailable` says why.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from kafka.admin import ACL, ACLPermissionType, ACLResourcePatternType, ResourceType

from mesh_platform.kafka.event_plane import EventPlane
from mesh_tools.event_plane.acls import AclAdmin, group_acls, topic_read_acls, user

audit = logging.getLogger("mesh.audit")
log = logging.getLogger(__name__)


class GrantsUnavailable(Exception):
    """The source of grants did not answer (or answered something unusable): this round changes nothing."""


@dataclass(frozen=True)
class ReadGrantRecord:
    """One active grant to read one product major, as the catalog states it."""

    principal: str
    topic: str
    grant_id: int | None = None
    granted_by: str | None = None


class GrantSource(Protocol):
    """Where the desired read access comes from (the catalog's grants API)."""

    def read_grants(self) -> list[ReadGrantRecord]:
        """Every active read grant; :class:`GrantsUnavailable` when they cannot be read completely."""
        ...


@dataclass(frozen=True)
class AclChange:
    """One binding created or removed by the reconciler, and why."""

    action: Literal["grant", "revoke"]
    acl: ACL
    reason: str

    def line(self) -> str:
        """The audit line: what changed for whom on which resource, and why."""
        pattern = self.acl.resource_pattern
        kind = pattern.resource_type.name.lower()
        name = pattern.resource_name if pattern.pattern_type == ACLResourcePatternType.LITERAL else (
            f"{pattern.resource_name} ({pattern.pattern_type.name.lower()})")
        return f"{self.action} {self.acl.principal} {self.acl.operation.name} on {kind} {name}: {self.reason}"


@dataclass
class SyncReport:
    """What one reconciliation round found and did."""

    changes: list[AclChange] = field(default_factory=list)
    grants: int = 0

    @property
    def granted(self) -> list[AclChange]:
        return [change for change in self.changes if change.action == "grant"]

    @property
    def revoked(self) -> list[AclChange]:
        return [change for change in self.changes if change.action == "revoke"]


def desired_acls(plane: EventPlane, grants: Iterable[ReadGrantRecord]) -> dict[ACL, str]:
    """The managed ACLs that must exist, each with the reason it exists."""
    owners = {spec.name: spec.owner for spec in plane.topics if spec.kind == "product"}
    desired: dict[ACL, str] = {}
    readers: dict[str, str] = {}
    for grant in sorted(grants, key=lambda g: (g.principal, g.topic, g.grant_id or 0)):
        owner = owners.get(grant.topic)
        if owner is None or grant.principal == owner:
            continue  # no such topic (an HTTP-only product), or the owner, whose access is provisioning's
        reason = f"catalog grant #{grant.grant_id} read of {grant.topic}" + (
            f" approved by {grant.granted_by}" if grant.granted_by else "")
        for acl in topic_read_acls(grant.principal, grant.topic):
            desired.setdefault(acl, reason)
        readers.setdefault(grant.principal, reason)
    for principal, reason in readers.items():
        for acl in group_acls(principal, principal):
            desired.setdefault(acl, f"its own consumer group, for {reason}")
    for principal, group in plane.consumer_groups.items():
        for acl in group_acls(principal, group):
            desired.setdefault(acl, "the domain's own consumer group (provisioned from the contracts)")
    return desired


def is_managed(acl: ACL, plane: EventPlane) -> bool:
    """Whether ``acl`` is the reconciler's business (see the module's docstring)."""
    if acl.permission_type != ACLPermissionType.ALLOW:
        return False
    pattern = acl.resource_pattern
    if pattern.resource_type == ResourceType.GROUP:
        return bool(pattern.pattern_type == ACLResourcePatternType.LITERAL and acl.principal == user(pattern.resource_name))
    if pattern.resource_type != ResourceType.TOPIC:
        return False
    return any(
        acl.principal != user(spec.owner) and _covers(pattern.pattern_type, pattern.resource_name, spec.name)
        for spec in plane.topics
        if spec.kind == "product"
    )


def plan(plane: EventPlane, grants: Iterable[ReadGrantRecord], actual: Iterable[ACL]) -> list[AclChange]:
    """The changes that turn the broker's ``actual`` ACLs into what the ``grants`` say (grants first, then removals,
    so a principal never loses access it keeps)."""
    desired = desired_acls(plane, grants)
    existing = set(actual)
    changes = [AclChange("grant", acl, reason) for acl, reason in desired.items() if acl not in existing]
    for acl in sorted((a for a in existing if is_managed(a, plane) and a not in desired), key=repr):
        changes.append(AclChange("revoke", acl, "no active grant in the catalog allows it"))
    return changes


def _covers(pattern_type: ACLResourcePatternType, name: str, topic: str) -> bool:
    if name == "*" and pattern_type == ACLResourcePatternType.LITERAL:
        return True
    if pattern_type == ACLResourcePatternType.LITERAL:
        return name == topic
    if pattern_type == ACLResourcePatternType.PREFIXED:
        return topic.startswith(name)
    return False


class AclReconciler:
    """Keeps the broker's read ACLs in line with the catalog's grants.

    ``admin_factory`` builds a ``KafkaAdminClient`` of a super user (kept open between rounds, rebuilt after a
    failure); ``on_change`` receives every applied change (``mesh up`` appends them to
    ``<run dir>/logs/event-plane-audit.log``); every change is also logged on ``mesh.audit``.
    """

    def __init__(
        self,
        plane: EventPlane,
        grants: GrantSource,
        admin_factory: Callable[[], Any],
        *,
        on_change: Callable[[AclChange], None] | None = None,
    ) -> None:
        self.plane = plane
        self.grants = grants
        self.admin_factory = admin_factory
        self.on_change = on_change
        self.last_error: str | None = None
        self.last_sync: datetime | None = None
        self._admin: Any = None
        self._wake = threading.Event()
        self._lock = threading.Lock()

    def sync(self, *, dry_run: bool = False) -> SyncReport:
        """One round: read the grants and the ACLs, apply the difference (or only report it with ``dry_run``).

        Raises :class:`GrantsUnavailable` (nothing changed) or the Kafka client's error.
        """
        with self._lock:
            grants = self.grants.read_grants()
            acl_admin = AclAdmin(self._client())
            try:
                changes = plan(self.plane, grants, acl_admin.bindings())
                if not dry_run:
                    self._apply(acl_admin, changes)
            except Exception:
                self._drop_client()
                raise
            self.last_sync = datetime.now(UTC)
            return SyncReport(changes=changes, grants=len(grants))

    def wake(self) -> None:
        """Run the next round now (e.g. right after an approval) instead of at the next interval."""
        self._wake.set()

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Reconcile every ``interval`` seconds (or when woken) until ``stop`` is set; failures are logged and
        retried next round (a change already applied is not repeated: the next round's difference is empty)."""
        while not stop.is_set():
            try:
                self.sync()
                self.last_error = None
            except Exception as e:  # the catalog or the broker is away: keep the ACLs, try again next round
                message = f"{type(e).__name__}: {e}"
                if message != self.last_error:
                    # Before the first success the catalog is usually still starting: not worth a warning.
                    level = logging.WARNING if self.last_sync is not None else logging.INFO
                    log.log(level, "ACL reconciliation failed (ACLs left as they are): %s", message)
                self.last_error = message
            self._wake.wait(interval)
            self._wake.clear()
        self._drop_client()

    def _apply(self, acl_admin: AclAdmin, changes: Sequence[AclChange]) -> None:
        granted = [change.acl for change in changes if change.action == "grant"]
        if granted:
            acl_admin.create(granted)
        revoked = [change.acl for change in changes if change.action == "revoke"]
        if revoked:
            acl_admin.delete(revoked)
        for change in changes:
            audit.info(change.line())
            if self.on_change is not None:
                self.on_change(change)

    def _client(self) -> Any:
        if self._admin is None:
            self._admin = self.admin_factory()
        return self._admin

    def _drop_client(self) -> None:
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:  # closing a broken client must not hide the failure that broke it
                log.debug("closing the reconciler's admin client failed", exc_info=True)
            self._admin = None
