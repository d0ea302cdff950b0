"""arXiv API Atom feeds → papers: title, authors, dates, primary and other categories,
abstract, DOI and journal reference.

Also accepted: a recorded answer ``{url, status_code, body}`` whose body is the feed. The feed
is parsed with the standard library's ElementTree; a document that declares a DTD or entities
is refused before parsing, since a feed never needs one and entity expansion is the usual
XML attack.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, TypeGuard

from pithtui.errors import InputError
from pithtui.identifiers import normalize_arxiv
from pithtui.models import Paper
from pithtui.sources import fields as F
from pithtui.sources.document import Document
from pithtui.sources.fields import Record

NAME = "arxiv"
SOURCE = "arxiv"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
ERROR_ID = "arxiv.org/api/errors"
"""What the id of the one entry of an error feed contains."""


def _is_wrapper(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and isinstance(value.get("body"), str) and "status_code" in value


def _is_feed(text: str) -> bool:
    head = text.lstrip()[:2000]
    return head.startswith("<") and "<feed" in head and "http://www.w3.org/2005/Atom" in head


def looks_like(doc: Document) -> bool:
    if doc.is_json:
        first = doc.values[0] if doc.values else None
        return _is_wrapper(first) and _is_feed(first["body"])
    return _is_feed(doc.text)


def _feed_text(doc: Document) -> tuple[str, int | None]:
    """The Atom text and, for a recorded answer, its HTTP status."""
    if not doc.is_json:
        return doc.text, None
    wrapper = doc.single("an arXiv feed")
    if not _is_wrapper(wrapper):
        raise InputError(f"{doc.name}: not an arXiv feed (expected Atom XML or a {{url, status_code, body}} record)")
    return wrapper["body"], F.integer(wrapper, "status_code", doc.name)


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    return F.folded(found.text) if found is not None and found.text else None


def entry(element: ET.Element, where: str) -> Paper:
    """A Paper from one Atom ``<entry>``."""
    entry_id = _text(element, f"{ATOM}id") or ""
    arxiv = normalize_arxiv(entry_id)
    if arxiv is None:
        raise F.fail(where, "id", f"is not an arXiv abstract URL ({entry_id!r})")
    primary = element.find(f"{ARXIV}primary_category")
    primary_term = primary.get("term") if primary is not None else None
    categories = F.unique((primary_term, *(c.get("term") for c in element.findall(f"{ATOM}category"))))
    published = _text(element, f"{ATOM}published")
    try:
        date = F.parse_date(published)
    except ValueError:
        raise F.fail(where, "published", f"is not a date ({published!r})") from None
    doi, _ = F.doi_and_arxiv(_text(element, f"{ARXIV}doi"), where, "arxiv:doi")
    links = element.findall(f"{ATOM}link")
    url = next((link.get("href") for link in links if link.get("rel") == "alternate"), None)
    return Paper(
        title=_text(element, f"{ATOM}title") or "",
        authors=F.unique(_text(author, f"{ATOM}name") for author in element.findall(f"{ATOM}author")),
        date=date,
        category=categories[0] if categories else None,
        categories=categories,
        venue=_text(element, f"{ARXIV}journal_ref"),
        url=url or f"https://arxiv.org/abs/{arxiv}",
        abstract=_text(element, f"{ATOM}summary"),
        arxiv_id=arxiv,
        doi=doi,
    )


def parse(doc: Document, hub: Paper | None = None) -> list[Record]:
    """Papers (or, with a hub, its citing papers) from an arXiv API feed."""
    text, status = _feed_text(doc)
    if _DECLARATION.search(text):
        raise InputError(f"{doc.name}: refused: the XML declares a DTD or entities, which an arXiv feed never does")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(f"{doc.name}: not well-formed XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise InputError(f"{doc.name}: not an Atom feed (the root element is {root.tag!r})")
    entries = root.findall(f"{ATOM}entry")
    for element in entries:
        if ERROR_ID in (_text(element, f"{ATOM}id") or ""):
            message = _text(element, f"{ATOM}summary") or "unknown error"
            raise InputError(f"{doc.name}: the arXiv API answered with an error: {message}")
    if status is not None and status != 200:
        raise InputError(f"{doc.name}: the recorded arXiv answer failed (HTTP {status})")
    papers = [entry(element, f"{doc.name}: entry[{index}]") for index, element in enumerate(entries)]
    return F.with_hub(papers, hub, SOURCE)
