"""The business glossary: ``contracts/glossary/<term>.yaml``, one file per term, and the links contract fields make to it.

A term file is an ODCS property definition — ``id`` (equal to the file name), ``businessName``, ``description`` (the
definition), ``synonyms`` (ODCS 3.2 ``{synonym: ...}`` objects) — plus the glossary's ``owner`` (a domain team) and
``relatedTerms`` (ids), checked against ``schemas/glossary-term.schema.json``. A contract field links to a term with
the ODCS v3.1.0 property-level ``authoritativeDefinitions`` entry::

    authoritativeDefinitions:
      - type: businessDefinition
        url: ../glossary/weight-class.yaml     # relative to the contract file, as in any document

so the contract stays plain ODCS and the link resolves to the definition from the contract's own place:
datacontract-cli resolves it too (it reads the file as the property's definition and fails on a dangling link, as we
do). Absolute ``businessDefinition`` URLs are outside references and are not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from mesh_platform.contracts.documents import Problem, document_path, read_document
from mesh_platform.contracts.errors import ContractError

GLOSSARY_DIR_NAME = "glossary"
TERM_SUFFIX = ".yaml"
BUSINESS_DEFINITION = "businessDefinition"
TERM_SCHEMA_RESOURCE = "glossary-term.schema.json"
# The canonical link from a contract (contracts/<domain>/<product>.odcs.yaml) to a term file.
_TERM_LINK = re.compile(r"^\.\./glossary/(?P<term>[a-z0-9][a-z0-9-]*)\.yaml$")
_TERM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class GlossaryTerm:
    """One business term: what it means, who answers for it, and the other words people use for it."""

    id: str
    name: str
    definition: str
    owner: str
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """Every way to say the term: its id, its name and its synonyms."""
        return (self.id, self.name, *self.synonyms)

    @property
    def link(self) -> str:
        """The ``authoritativeDefinitions`` URL a contract field uses to link to this term."""
        return term_link(self.id)


@dataclass(frozen=True)
class GlossaryProblem:
    """One thing wrong with a term file (or between terms)."""

    file: str
    path: str
    rule: str
    message: str


@dataclass
class Glossary:
    """The terms by id, with a lookup by any label (id, name or synonym, compared normalised)."""

    terms: dict[str, GlossaryTerm] = field(default_factory=dict)
    problems: list[GlossaryProblem] = field(default_factory=list)
    directory: Path | None = None

    def __post_init__(self) -> None:
        self._by_label: dict[str, str] = {}
        for term in sorted(self.terms.values(), key=lambda t: t.id):
            for label in term.labels:
                self._by_label.setdefault(normalise_label(label), term.id)

    def get(self, term_id: str) -> GlossaryTerm | None:
        return self.terms.get(term_id)

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.terms

    def __iter__(self) -> Iterator[GlossaryTerm]:
        return iter(sorted(self.terms.values(), key=lambda t: t.name.lower()))

    def __len__(self) -> int:
        return len(self.terms)

    def term_for_label(self, label: str) -> GlossaryTerm | None:
        """The term ``label`` names (its id, name or a synonym; case, ``_``, ``-`` and apostrophes ignored)."""
        term_id = self._by_label.get(normalise_label(label))
        return self.terms[term_id] if term_id else None

    def term_named_by_field(self, field_name: str) -> GlossaryTerm | None:
        """The term a field's name denotes: the name with ``_`` as spaces, else without a trailing ``_id`` or ``s``.

        ``weight_class`` → weight class, ``bout_id`` → bout, ``draws`` → draw, ``judges_scores`` → judges' scores.
        """
        for candidate in field_name_candidates(field_name):
            found = self.term_for_label(candidate)
            if found is not None:
                return found
        return None


def normalise_label(text: str) -> str:
    """Lower case, ``_``/``-`` as spaces, apostrophes dropped, single spaces: how labels and names are compared."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[_\-\s]+", " ", text).split())


def field_name_candidates(field_name: str) -> list[str]:
    """What a field name may denote: itself, without ``_id``, without a plural ``s`` (in that order)."""
    name = normalise_label(field_name)
    candidates = [name]
    if name.endswith(" id"):
        candidates.append(name[: -len(" id")])
    if name.endswith("s") and len(name) > 3:
        candidates.append(name[:-1])
    return candidates


def term_link(term_id: str) -> str:
    """The relative URL of a term file seen from a contract file (``../glossary/<term>.yaml``)."""
    return f"../{GLOSSARY_DIR_NAME}/{term_id}{TERM_SUFFIX}"


def term_id_of_link(url: str) -> str | None:
    """The term id of a canonical glossary link (``../glossary/<term>.yaml``), else None."""
    match = _TERM_LINK.match(url.strip())
    return match["term"] if match else None


def is_outside_reference(url: str) -> bool:
    """Whether a ``businessDefinition`` URL points outside the repository (has a scheme: https:, urn:...)."""
    return bool(_SCHEME.match(url.strip()))


# loading ---------------------------------------------------------------------------------------------------------


@cache
def term_json_schema() -> dict[str, Any]:
    """The JSON Schema of a term file, bundled with the platform."""
    text = resources.files("mesh_platform.contracts").joinpath("schemas").joinpath(TERM_SCHEMA_RESOURCE).read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


@cache
def _term_validator() -> Draft202012Validator:
    return Draft202012Validator(term_json_schema())


def term_files(directory: Path) -> list[Path]:
    """The term files of a glossary directory, sorted."""
    return sorted(directory.glob(f"*{TERM_SUFFIX}")) if directory.is_dir() else []


def read_term(text: str, source: Path) -> tuple[GlossaryTerm | None, list[GlossaryProblem]]:
    """The term in ``text`` (stored at ``source``), or None with the reasons it cannot be read."""
    file = str(source)
    try:
        document = read_document(text, source)
    except ContractError as e:
        return None, [GlossaryProblem(file, e.path, "glossary-yaml", e.reason.replace("a contract", "a term file"))]
    problems = [
        GlossaryProblem(file, document_path(document, error.absolute_path) or "(document)", "glossary-term-file",
                        error.message)
        for error in sorted(_term_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    ]
    if problems:
        return None, problems
    if document["id"] != source.stem:
        return None, [
            GlossaryProblem(file, "id", "glossary-term-file",
                            f"id {document['id']!r} disagrees with the file name, which says {source.stem!r}")
        ]
    term = GlossaryTerm(
        id=document["id"],
        name=document["businessName"].strip(),
        definition=" ".join(document["description"].split()),
        owner=document["owner"],
        synonyms=tuple(item["synonym"].strip() for item in document.get("synonyms") or ()),
        related=tuple(document.get("relatedTerms") or ()),
        source=file,
    )
    return term, []


def load_glossary(directory: Path) -> Glossary:
    """Every term under ``directory`` (an absent directory is an empty glossary).

    Files that cannot be read are left out and reported in :attr:`Glossary.problems`, as are problems between terms
    (a related term that does not exist, one label claimed by two terms).
    """
    terms: dict[str, GlossaryTerm] = {}
    problems: list[GlossaryProblem] = []
    for file in term_files(directory):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            problems.append(GlossaryProblem(str(file), "", "glossary-yaml", f"cannot read the file: {e}"))
            continue
        term, found = read_term(text, file)
        problems.extend(found)
        if term is not None:
            terms[term.id] = term
    problems.extend(cross_term_problems(terms.values()))
    return Glossary(terms, problems, directory)


def cross_term_problems(terms: Iterable[GlossaryTerm]) -> list[GlossaryProblem]:
    """Related terms that do not exist; a label (name or synonym) that names two terms, or a term and itself twice."""
    terms = list(terms)
    known = {term.id for term in terms}
    problems: list[GlossaryProblem] = []
    claimed: dict[str, str] = {}
    for term in sorted(terms, key=lambda t: t.id):
        for related in term.related:
            if related not in known:
                problems.append(GlossaryProblem(term.source, f"relatedTerms[{related}]", "glossary-related",
                                                f"related term {related!r} is not defined in the glossary"))
            elif related == term.id:
                problems.append(GlossaryProblem(term.source, f"relatedTerms[{related}]", "glossary-related",
                                                "a term is not related to itself"))
        for label in dict.fromkeys(normalise_label(label) for label in term.labels):
            owner = claimed.setdefault(label, term.id)
            if owner != term.id:
                problems.append(GlossaryProblem(term.source, "synonyms", "glossary-synonym",
                                                f"{label!r} already names the term {owner!r}: a word means one term"))
    return problems


# links from contracts --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldTerms:
    """The glossary links of one field of a contract (nested fields too)."""

    path: str  # in the payload: ``judges_scores[].red``
    doc_path: str  # in the contract: ``schema[bout_results].properties[judges_scores].items.properties[red]``
    name: str
    terms: tuple[str, ...]  # term ids, in the order linked
    other_links: tuple[tuple[int, str], ...] = ()  # (index, url) of businessDefinition links that are not canonical


def field_terms(document: Mapping[str, Any], *, record_only: bool = False) -> list[FieldTerms]:
    """Every field of every schema object of a contract document, with the glossary terms it links to."""
    found: list[FieldTerms] = []
    objects = [o for o in document.get("schema") or [] if isinstance(o, Mapping)]
    for schema_object in objects[:1] if record_only else objects:
        doc_path = f"schema[{schema_object.get('name')}]"
        found.extend(_walk(schema_object.get("properties") or [], "", doc_path))
    return found


def _walk(properties: Iterable[Any], prefix: str, doc_prefix: str) -> Iterator[FieldTerms]:
    for prop in properties:
        if not isinstance(prop, Mapping):
            continue
        name = str(prop.get("name"))
        path = f"{prefix}.{name}" if prefix else name
        doc_path = f"{doc_prefix}.properties[{name}]"
        yield _field_terms(prop, path, doc_path, name)
        yield from _walk(prop.get("properties") or [], path, doc_path)
        items = prop.get("items")
        if isinstance(items, Mapping):
            yield from _walk(items.get("properties") or [], f"{path}[]", f"{doc_path}.items")


def _field_terms(prop: Mapping[str, Any], path: str, doc_path: str, name: str) -> FieldTerms:
    terms: list[str] = []
    others: list[tuple[int, str]] = []
    for index, definition in enumerate(prop.get("authoritativeDefinitions") or []):
        if not isinstance(definition, Mapping) or definition.get("type") != BUSINESS_DEFINITION:
            continue
        url = str(definition.get("url") or "")
        term_id = term_id_of_link(url)
        if term_id is not None:
            terms.append(term_id)
        elif not is_outside_reference(url):
            others.append((index, url))
    return FieldTerms(path, doc_path, name, tuple(dict.fromkeys(terms)), tuple(others))


def glossary_link_problems(document: Mapping[str, Any], glossary: Glossary) -> list[Problem]:
    """``mesh contracts lint``'s glossary rules for one contract.

    * ``glossary-term`` (error): a ``businessDefinition`` link to a term the glossary does not define, or a relative
      link that is not ``../glossary/<term>.yaml``;
    * ``glossary-link`` (warning): a field whose name denotes a term (:meth:`Glossary.term_named_by_field`) but
      does not link to it.
    """
    problems: list[Problem] = []
    for spec in field_terms(document):
        for index, url in spec.other_links:
            problems.append(Problem(
                f"{spec.doc_path}.authoritativeDefinitions[{index}].url", "glossary-term",
                f"{url!r} is not a glossary link: link a term as {term_link('<term>')} (or give an absolute URL "
                "for an outside reference)"))
        for term_id in spec.terms:
            if term_id not in glossary:
                problems.append(Problem(
                    f"{spec.doc_path}.authoritativeDefinitions", "glossary-term",
                    f"the business term {term_id!r} is not defined: add {GLOSSARY_DIR_NAME}/{term_id}{TERM_SUFFIX} "
                    "or fix the link"))
        named = glossary.term_named_by_field(spec.name)
        if named is not None and named.id not in spec.terms:
            problems.append(Problem(
                f"{spec.doc_path}.authoritativeDefinitions", "glossary-link",
                f"{spec.name!r} looks like the business term {named.name!r}: link it with "
                f"{{type: {BUSINESS_DEFINITION}, url: {named.link}}}", "warning"))
    return problems


def glossary_dir_for(contract_file: Path) -> Path:
    """The glossary a contract file's links resolve into: ``<contracts>/glossary`` beside ``<contracts>/<domain>/``."""
    return contract_file.resolve().parent.parent / GLOSSARY_DIR_NAME
