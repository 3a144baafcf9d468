"""What the catalog knows about data products: versions with a lifecycle, their consumers, governance verdicts.

Pure data and rules: nothing here knows of HTTP, SQL or OpenLineage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal


class Lifecycle(StrEnum):
    """Where a major version of a product is in its life; it only ever moves forward."""

    DRAFT = "draft"
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"

    @classmethod
    def from_contract_status(cls, status: str | None) -> Lifecycle:
        """The lifecycle a contract's ODCS ``status`` names (``proposed`` counts as draft); ValueError otherwise."""
        normalised = (status or "").strip().lower()
        if normalised == "proposed":
            return cls.DRAFT
        try:
            return cls(normalised)
        except ValueError:
            known = ", ".join(["proposed", *(member.value for member in cls)])
            raise ValueError(f"status {status!r} is not a lifecycle state ({known})") from None

    @property
    def rank(self) -> int:
        """Position in draft → active → deprecated → retired."""
        return list(Lifecycle).index(self)

    def can_move_to(self, other: Lifecycle) -> bool:
        """Whether a version in this state may be re-registered in ``other`` (never backwards)."""
        return other.rank >= self.rank


ConsumerKind = Literal["subscription", "http"]


@dataclass(frozen=True)
class PolicyResult:
    """The outcome of one governance policy for one registration."""

    policy: str
    passed: bool
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "passed": self.passed, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Verdict:
    """The governance verdict of a registration: compliant only if every policy passed."""

    policies: tuple[PolicyResult, ...]

    @property
    def compliant(self) -> bool:
        return all(result.passed for result in self.policies)

    @property
    def reasons(self) -> list[str]:
        """Every reason of every failed policy, prefixed with the policy's name."""
        return [f"{result.policy}: {reason}" for result in self.policies if not result.passed for reason in result.reasons]

    def as_dict(self) -> dict[str, Any]:
        return {"compliant": self.compliant, "policies": [result.as_dict() for result in self.policies]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Verdict:
        return cls(
            tuple(
                PolicyResult(item["policy"], bool(item["passed"]), tuple(item.get("reasons", ())))
                for item in raw.get("policies", [])
            )
        )


class RegistrationOutcome(StrEnum):
    """What a registration did: a new product or major, a new version of a major, nothing, or nothing (refused)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class ProductVersion:
    """One major version of one data product, as last registered."""

    domain: str
    product: str
    major: int
    version: str
    status: Lifecycle
    sunset_date: date | None
    contract: dict[str, Any]
    service_url: str | None
    registered_at: datetime
    updated_at: datetime
    verdict: Verdict

    def sunset_passed(self, today: date) -> bool:
        """Whether the announced sunset date is behind us."""
        return self.sunset_date is not None and self.sunset_date < today


@dataclass
class DataProduct:
    """A data product of a domain with every major version registered so far."""

    domain: str
    product: str
    name: str
    description: dict[str, str]
    owner: str | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    versions: dict[int, ProductVersion] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.domain}/{self.product}"

    @property
    def latest(self) -> ProductVersion | None:
        """The highest major that is not retired, else the highest major."""
        live = [v for v in self.versions.values() if v.status is not Lifecycle.RETIRED]
        pool = live or list(self.versions.values())
        return max(pool, key=lambda v: v.major) if pool else None


@dataclass(frozen=True)
class Consumer:
    """A known consumer of one major version: a consumer group subscribed to its topic, or an HTTP reader."""

    kind: ConsumerKind
    consumer: str
    domain: str
    product: str
    major: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class RegistrationRecord:
    """One registration attempt as the governance log keeps it."""

    domain: str
    product: str
    version: str
    outcome: RegistrationOutcome
    verdict: Verdict
    service_url: str | None
    at: datetime
