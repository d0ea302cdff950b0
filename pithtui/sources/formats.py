"""The one list of import formats, and how ``--format auto`` tells them apart by content.

Detection looks at what a file holds, never at its name: the first matching format in
``FORMATS`` order wins (the order goes from the most specific marks to the loosest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pithtui.errors import InputError
from pithtui.models import Paper
from pithtui.sources import arxiv, bibtex, openalex, pith, pithtui_json, semantic_scholar
from pithtui.sources.document import Document
from pithtui.sources.fields import Record

AUTO = "auto"


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    looks_like: Callable[[Document], bool]
    parse: Callable[[Document, Paper | None], list[Record]]


def _pithtui_looks_like(doc: Document) -> bool:
    return doc.values is not None and len(doc.values) == 1 and pithtui_json.looks_like(doc.values[0])


def _pithtui_parse(doc: Document, hub: Paper | None) -> list[Record]:
    """pithtui JSON names its own hub, so ``hub`` is not needed."""
    return list(pithtui_json.parse(doc.single("a pithtui hub document"), doc.name))


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("pithtui", "pithtui's own JSON (pithtui show --format json)", _pithtui_looks_like, _pithtui_parse),
        Format(arxiv.NAME, "arXiv API Atom feed, or a recorded {url, status_code, body} answer", arxiv.looks_like, arxiv.parse),
        Format(pith.NAME, "Pith paper records", pith.looks_like, pith.parse),
        Format(semantic_scholar.NAME, "Semantic Scholar Graph API papers, citation pages and edges", semantic_scholar.looks_like, semantic_scholar.parse),
        Format(openalex.NAME, "OpenAlex works and result pages", openalex.looks_like, openalex.parse),
        Format(bibtex.NAME, "BibTeX", bibtex.looks_like, bibtex.parse),
    )
}  # fmt: skip


def _error_answer(value: Any) -> str | None:
    """The message of a service's error answer ({"error": …} or {"message": …} alone)."""
    if not isinstance(value, dict) or not value or not set(value) <= {"error", "message", "code", "status"}:
        return None
    return str(value.get("message") or value.get("error") or "").strip() or None


def detect(doc: Document) -> Format:
    """The format ``doc`` is in, judged from its content."""
    for fmt in FORMATS.values():
        if fmt.looks_like(doc):
            return fmt
    if doc.is_json and (message := _error_answer(doc.first())):
        raise InputError(f"{doc.name}: this is an error answer from a service, not data: {message}")
    kind = "JSON" if doc.is_json else "text"
    raise InputError(
        f"{doc.name}: cannot tell the format of this {kind} (none of {', '.join(FORMATS)}); pass --format if you know it"
    )


def parse(doc: Document, format_name: str = AUTO, hub: Paper | None = None) -> tuple[str, list[Record]]:
    """The format used and the records of ``doc``."""
    if format_name == AUTO:
        fmt = detect(doc)
    elif format_name in FORMATS:
        fmt = FORMATS[format_name]
    else:
        raise InputError(f"unknown format {format_name!r} (choose from {AUTO}, {', '.join(FORMATS)})")
    return fmt.name, fmt.parse(doc, hub)
