"""Pith paper records → papers.

A record, alone, in a list or as JSON Lines::

    {"paper": {"title", "primary_cat", "cross_cats", "authors_text", "submitted_at",
               "abstract_excerpt"},
     "source": {"kind": "arxiv", "id": "2305.17493"},
     "verdict": {"one_line_summary": "…"}}

``source.kind`` says which identifier ``source.id`` is (arxiv, doi, s2, openalex); an unknown
kind is accepted when the id itself is recognisable. Authors come as one line of text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pithtui.errors import InputError
from pithtui.identifiers import normalize_arxiv, normalize_doi, normalize_openalex, parse_reference
from pithtui.models import Paper
from pithtui.sources import fields as F
from pithtui.sources.document import Document
from pithtui.sources.fields import Record

NAME = "pith"
SOURCE = "pith"
PAPER_FIELDS = frozenset({"primary_cat", "cross_cats", "authors_text", "submitted_at", "abstract_excerpt"})
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,\s*and\s+|,|\s+and\s+|&)\s*")

KINDS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "arxiv": ("arxiv_id", normalize_arxiv),
    "doi": ("doi", normalize_doi),
    "s2": ("s2_id", lambda v: v.strip().lower() or None),
    "semantic_scholar": ("s2_id", lambda v: v.strip().lower() or None),
    "openalex": ("openalex_id", normalize_openalex),
}
"""source.kind → the identifier column and how to normalise the id."""


def _is_record(value: Any) -> bool:
    if not isinstance(value, dict) or "format" in value or not isinstance(value.get("paper"), dict):
        return False
    return not PAPER_FIELDS.isdisjoint(value["paper"]) or isinstance(value.get("source"), dict)


def looks_like(doc: Document) -> bool:
    return _is_record(doc.first())


def _identifier(source: dict[str, Any] | None, where: str) -> dict[str, Any]:
    if source is None:
        return {}
    where = f"{where}: source"
    ident = F.text(source, "id", where)
    if ident is None:
        return {}
    kind = (F.text(source, "kind", where) or "").lower().replace("-", "_")
    if kind in KINDS:
        column, normalise = KINDS[kind]
        value = normalise(ident)
        if value is None:
            raise F.fail(where, "id", f"is not a {kind} id ({ident!r})")
        return {column: value}
    parsed = parse_reference(ident)
    if parsed.column is None:
        raise F.fail(where, "kind", f"{kind!r} is not one pithtui knows ({', '.join(KINDS)}), nor is the id recognisable")
    return {parsed.column: parsed.value}


def record(item: Any, where: str) -> Paper:
    """A Paper from one Pith record."""
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected an object, got {type(item).__name__}")
    body = F.obj(item, "paper", where)
    if body is None:
        raise F.fail(where, "paper", "is missing")
    paper_where = f"{where}: paper"
    primary = F.text(body, "primary_cat", paper_where)
    verdict = F.obj(item, "verdict", where)
    authors = F.text(body, "authors_text", paper_where)
    return Paper(
        title=F.folded(F.text(body, "title", paper_where, required=True)) or "",
        authors=F.unique(_AUTHOR_SEPARATORS.split(authors)) if authors else (),
        date=F.date(body, "submitted_at", paper_where),
        category=primary,
        categories=F.unique((primary, *F.strings(body, "cross_cats", paper_where))),
        abstract=F.text(body, "abstract_excerpt", paper_where),
        summary=F.text(verdict, "one_line_summary", f"{where}: verdict") if verdict else None,
        **_identifier(F.obj(item, "source", where), where),
    )


def parse(doc: Document, hub: Paper | None = None) -> list[Record]:
    """Papers (or, with a hub, its citing papers) from Pith records."""
    if not doc.is_json:
        raise InputError(f"{doc.name}: not Pith records (not JSON)")
    papers: list[Paper] = []
    for value, where in doc.entries():
        if isinstance(value, list):
            papers.extend(record(item, f"{where}[{index}]") for index, item in enumerate(value))
        else:
            papers.append(record(value, where))
    return F.with_hub(papers, hub, SOURCE)
