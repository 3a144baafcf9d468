"""The pieces every generated documentation page is built from: inert Markdown of contract text, code spans and
blocks, where the page's links point, the contract's URL and an example record.

Contract text is escaped for Markdown: descriptions are written by the product's team, and whatever they hold stays
text (no markup, no raw HTML, no links) when the page is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog.domain.model import DataProduct

# Inline markup characters (``_`` is left alone: CommonMark never emphasises inside snake_case words) ...
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~!&])")
# ... and what would open a block (heading, list, quote, thematic break) at the start of a paragraph.
_BLOCK_MARK = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s|$)|>)")
_ORDERED_MARK = re.compile(r"^(\d+)([.)])(?=\s|$)")


@dataclass(frozen=True)
class DocsContext:
    """What the page needs besides the contract: where links point and what the catalog knows of the service."""

    link_base: str  # "" for pages of the catalog itself, the catalog's public URL for Markdown read elsewhere
    catalog_url: str  # the catalog's public URL (token endpoint, contract URL = ce_dataschema)
    service_url: str | None  # where the domain's service runs, from the catalog's configuration only
    snippets: Mapping[str, str]  # copy-paste lines (curl, kafka-python) as the product page shows them


def text(value: Any) -> str:
    """Contract text as inert Markdown: one line, markup characters escaped (it renders as the very text)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value or "").split()))
    return _ORDERED_MARK.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", escaped))


def code(value: Any) -> str:
    """An inline code span that holds ``value`` whatever backticks it contains (``|`` escaped: spans sit in tables)."""
    raw = " ".join(str(value).split()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", raw)), default=0) + 1)
    padding = " " if raw.startswith("`") or raw.endswith("`") else ""
    return f"{fence}{padding}{raw}{padding}{fence}"


def fenced(body: str, info: str = "") -> str:
    """A fenced code block longer than any backtick run inside ``body``."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"



def example_record(contract: Mapping[str, Any]) -> dict[str, Any]:
    """A record made of each top-level field's first example (nested fields are in their parent's example)."""
    record = next((o for o in contract.get("schema") or [] if isinstance(o, Mapping)), {})
    example: dict[str, Any] = {}
    for prop in record.get("properties") or []:
        if isinstance(prop, Mapping) and prop.get("examples"):
            example[str(prop.get("name"))] = prop["examples"][0]
    return example


def contract_url(catalog_url: str, product: DataProduct, major: int) -> str:
    return f"{catalog_url}/api/v1/data-products/{product.domain}/{product.product}/v{major}/contract"
