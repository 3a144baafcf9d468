"""What a load did: per phase how many commands took effect, were replayed, failed or were skipped, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PHASES = ("fighters", "cards", "bouts", "results", "retirements")


@dataclass(frozen=True)
class LoadProblem:
    """A command the service refused (a 4xx: the generator got a rule wrong) or could not answer."""

    phase: str
    idempotency_key: str
    status: int | None
    """The HTTP status; None when the service could not be reached even after retries."""
    detail: str
    errors: tuple[dict[str, Any], ...] = ()
    """The problem document's ``errors`` (field and reason), if it had any."""

    def __str__(self) -> str:
        fields = "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in self.errors)
        status = self.status if self.status is not None else "unreachable"
        return f"[{self.phase}] {self.idempotency_key} → {status}: {self.detail}" + (f" ({fields})" if fields else "")


@dataclass
class PhaseTally:
    """Commands of one phase by what became of them."""

    planned: int = 0
    created: int = 0
    """Took effect now."""
    replayed: int = 0
    """Had taken effect in an earlier load: the service replayed its first answer for the idempotency key."""
    accepted: int = 0
    """Took effect, now or in an earlier load: the service did not say which (a batch's answer lines carry no
    replay flag unless they have ``"replayed"``)."""
    failed: int = 0
    skipped: int = 0
    """Not sent because something it depends on failed (e.g. a bout whose fighter was refused)."""
    seconds: float = 0.0
    """From the phase's first command to its last answer."""


@dataclass
class LoadReport:
    """The outcome of :func:`octagon_demo.loader.load_demo_data`."""

    seed: int
    scale: float
    phases: dict[str, PhaseTally] = field(default_factory=lambda: {phase: PhaseTally() for phase in PHASES})
    problems: list[LoadProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things worth knowing that are not failures, e.g. a service that was not given and so was left out."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every planned command took effect or was replayed."""
        return not self.problems and not any(tally.skipped for tally in self.phases.values())

    @property
    def created(self) -> int:
        return sum(tally.created for tally in self.phases.values())

    @property
    def replayed(self) -> int:
        return sum(tally.replayed for tally in self.phases.values())

    @property
    def accepted(self) -> int:
        """Commands that took effect now or earlier (created, replayed, or accepted without saying which)."""
        return sum(tally.created + tally.replayed + tally.accepted for tally in self.phases.values())
