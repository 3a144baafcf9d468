"""Every name a scaffolded domain uses, derived from the domain's name and its entity's name.

A domain ``ticket-sales`` with the entity ``ticket-sale`` is the Python package ``ticket_sales``, the data product
``ticket-sales`` (record ``ticket_sales``, key ``ticket_sale_id``), the event types
``octagon.ticket-sales.ticket-sale.<verb>.v1`` and classes such as ``TicketSale`` and ``TicketSalesSettings``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mesh_tools.launcher.topology import env_name

# Attributes of mesh_platform.store.unit_of_work.SqlUnitOfWork; the repository attribute must not hide one.
UNIT_OF_WORK_ATTRIBUTES = frozenset(
    {"engine", "outbox", "events", "on_commit", "session", "join", "publish", "commit", "rollback", "record"}
)
EXAMPLE_ID = "0b9c6a4e-3f1d-4e8a-9c2b-7d5e1f3a8b60"


def singular(name: str) -> str:
    """A singular for a hyphenated, usually plural name (``venues`` → ``venue``, ``ticket-sales`` →
    ``ticket-sale``); a name that does not look plural is returned as it is."""
    *head, last = name.split("-")
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes", "zzes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 2:
        last = last[:-1]
    return "-".join([*head, last])


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


@dataclass(frozen=True)
class DomainNames:
    """The names of one scaffolded domain; ``domain`` and ``entity`` are lower case, digits and hyphens."""

    domain: str
    entity: str

    @property
    def package(self) -> str:
        """The Python package (``ticket_sales``)."""
        return self.domain.replace("-", "_")

    @property
    def product(self) -> str:
        """The data product the domain publishes (named after the domain)."""
        return self.domain

    @property
    def record(self) -> str:
        """The contract's record schema object, also the table name (``ticket_sales``)."""
        return self.product.replace("-", "_")

    @property
    def entity_snake(self) -> str:
        return self.entity.replace("-", "_")

    @property
    def key(self) -> str:
        """The record's key (``ticket_sale_id``)."""
        return f"{self.entity_snake}_id"

    @property
    def repository(self) -> str:
        """The unit of work's attribute holding the repository (the record's name unless that is taken)."""
        return self.record if self.record not in UNIT_OF_WORK_ATTRIBUTES else f"{self.record}_repository"

    @property
    def distribution(self) -> str:
        """The name of the domain's Python distribution (``octagon-ticket-sales``)."""
        return f"octagon-{self.domain}"

    @property
    def env(self) -> str:
        """The prefix of the domain's environment variables (``TICKET_SALES`` in ``TICKET_SALES_PORT``)."""
        return env_name(self.domain)

    def substitutions(self, port: int) -> dict[str, str]:
        """The values of the templates' ``${...}`` placeholders."""
        product_words = self.product.replace("-", " ")
        entity_words = self.entity.replace("-", " ")
        return {
            "domain": self.domain,
            "package": self.package,
            "product": self.product,
            "record": self.record,
            "entity": self.entity,
            "entity_snake": self.entity_snake,
            "key": self.key,
            "repository": self.repository,
            "distribution": self.distribution,
            "ENV": self.env,
            "Domain": _camel(self.domain),
            "Entity": _camel(self.entity),
            "Title": self.domain.replace("-", " ").capitalize(),
            "product_words": product_words,
            "entity_words": entity_words,
            "Entity_words": entity_words.capitalize(),
            "example_name": f"Example {entity_words}",
            "example_id": EXAMPLE_ID,
            "port": str(port),
        }
