"""The catalog's search syntax, parsed into a tree and compiled for SQLite FTS5 or PostgreSQL ``tsquery``.

Syntax: words (all must match), ``"exact phrases"``, ``prefix*``, ``OR``, ``NOT word`` or ``-word``, ``AND``
(implicit between words) and parentheses. Words are split the way the full-text tokenizers split them (on anything
that is not a letter or digit), so ``date_of_birth`` finds the field ``date_of_birth``. A query that is not valid
raises :class:`SearchSyntaxError` with the reason; compiled queries contain only quoted or sanitised words, so no
user text reaches the database's own query parser unescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'(?P<lparen>\()|(?P<rparen>\))|(?P<minus>-)(?=[^\s)])|(?P<word>[^\s()"]+)')
MAX_QUERY_LENGTH = 500


class SearchSyntaxError(ValueError):
    """A search query the catalog cannot run; the message says where and why."""


@dataclass(frozen=True)
class Term:
    """Words that must appear in this order (one word, or a phrase); ``prefix``: the last word may continue."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Term | Not | And | Or


def parse_query(text: str) -> Node | None:
    """The tree of ``text``; None for a blank query (which matches everything)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchSyntaxError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    tokens = _tokenize(text)
    if not tokens:
        return None
    parser = _Parser(tokens)
    tree = parser.parse_or()
    if parser.position < len(tokens):
        kind, value = tokens[parser.position]
        raise SearchSyntaxError(f"unexpected {_describe(kind, value)}" + (" (no matching '(')" if kind == "rparen" else ""))
    if not _runnable(tree):
        raise SearchSyntaxError("every part of a query needs a word to look for, not only exclusions (NOT, -)")
    return tree


def to_fts5(tree: Node) -> str:
    """The FTS5 MATCH expression of ``tree`` (every word quoted)."""
    if isinstance(tree, Term):
        phrase = '"' + " ".join(tree.words) + '"'
        return phrase + " *" if tree.prefix else phrase
    if isinstance(tree, Or):
        return "(" + " OR ".join(to_fts5(operand) for operand in tree.operands) + ")"
    if isinstance(tree, And):
        positives = [to_fts5(op) for op in tree.operands if not isinstance(op, Not)]
        negatives = [to_fts5(op.operand) for op in tree.operands if isinstance(op, Not)]
        expression = "(" + " AND ".join(positives) + ")"
        for negative in negatives:
            expression = f"({expression} NOT {negative})"
        return expression
    raise SearchSyntaxError("NOT needs something to exclude from, e.g. 'fighters NOT retired'")


def to_tsquery(tree: Node) -> str:
    """The PostgreSQL ``to_tsquery('simple', ...)`` text of ``tree`` (words are letters and digits only)."""
    if isinstance(tree, Term):
        words = list(tree.words)
        if tree.prefix:
            words[-1] = words[-1] + ":*"
        return "(" + " <-> ".join(words) + ")"
    if isinstance(tree, Not):
        return "!" + to_tsquery(tree.operand)
    joiner = " | " if isinstance(tree, Or) else " & "
    return "(" + joiner.join(to_tsquery(operand) for operand in tree.operands) + ")"


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        if text[position] == '"':
            end = text.find('"', position + 1)
            if end < 0:
                raise SearchSyntaxError(f"unterminated phrase starting at character {position + 1}: add the closing '\"'")
            tokens.append(("phrase", text[position + 1: end]))
            position = end + 1
            if position < len(text) and text[position] == "*":
                tokens[-1] = ("prefix_phrase", tokens[-1][1])
                position += 1
            continue
        match = _TOKEN.match(text, position)
        assert match is not None  # every non-space character starts some token
        kind = match.lastgroup or "word"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while (token := self.peek()) and token == ("word", "OR"):
            self.position += 1
            if self.peek() is None or self.peek()[0] == "rparen":  # type: ignore[index]
                raise SearchSyntaxError("OR must be followed by something to look for")
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands: list[Node] = []
        while (token := self.peek()) and token[0] != "rparen" and token != ("word", "OR"):
            if token == ("word", "AND"):
                if not operands:
                    raise SearchSyntaxError("AND must come between two things to look for")
                self.position += 1
                following = self.peek()
                if following is None or following[0] == "rparen" or following == ("word", "OR"):
                    raise SearchSyntaxError("AND must be followed by something to look for")
                continue
            operand = self.parse_unary()
            if operand is not None:
                operands.append(operand)
        if not operands:
            token = self.peek()
            if token and token[0] == "rparen":
                raise SearchSyntaxError("empty parentheses")
            if token == ("word", "OR"):
                raise SearchSyntaxError("OR must come between two things to look for")
            raise SearchSyntaxError("nothing to look for: a query needs letters or digits")
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_unary(self) -> Node | None:
        kind, value = self.tokens[self.position]
        if kind == "minus" or (kind == "word" and value == "NOT"):
            self.position += 1
            if self.peek() is None or self.peek()[0] == "rparen" or self.peek() == ("word", "OR"):  # type: ignore[index]
                raise SearchSyntaxError(f"{'-' if kind == 'minus' else 'NOT'} must be followed by something to exclude")
            operand = self.parse_unary()
            return Not(operand) if operand is not None else None
        self.position += 1
        if kind == "lparen":
            inner = self.parse_or()
            if self.peek() is None or self.peek()[0] != "rparen":  # type: ignore[index]
                raise SearchSyntaxError("unbalanced parentheses: a '(' is never closed")
            self.position += 1
            return inner
        if kind == "rparen":
            raise SearchSyntaxError("unexpected ')' (no matching '(')")
        prefix = kind == "prefix_phrase" or (kind == "word" and value.endswith("*"))
        words = tuple(word.lower() for word in _WORD.findall(value))
        if not words:
            if kind in ("phrase", "prefix_phrase"):
                raise SearchSyntaxError("an empty phrase \"\" matches nothing; put words between the quotes")
            return None  # punctuation alone ('&', '*') carries nothing to look for
        return Term(words, prefix)


def _runnable(tree: Node) -> bool:
    """Whether full-text engines can run ``tree``: an exclusion only ever narrows something positive."""
    if isinstance(tree, Term):
        return True
    if isinstance(tree, Not):
        return False
    if isinstance(tree, Or):
        return all(_runnable(operand) for operand in tree.operands)
    positives = [operand for operand in tree.operands if not isinstance(operand, Not)]
    negatives = [operand.operand for operand in tree.operands if isinstance(operand, Not)]
    return bool(positives) and all(_runnable(operand) for operand in positives + negatives)


def _describe(kind: str, value: str) -> str:
    return {"rparen": "')'", "lparen": "'('"}.get(kind, repr(value))
