"""Recognising and normalising paper identifiers: arXiv ids, DOIs, Semantic Scholar and
OpenAlex ids. Shared by the store (resolving what a user typed) and the sources (normalising
what a service sent), so a paper is found under the same key whoever wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\..+)$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_CORPUS = re.compile(r"^corpus[_ ]?id:\s*(\d+)$", re.IGNORECASE)
_S2 = re.compile(r"^[0-9a-f]{40}$", re.IGNORECASE)
_S2_URL = re.compile(r"^https?://(?:www\.)?semanticscholar\.org/paper/(?:[^/]+/)?([0-9a-f]{40})/?$", re.IGNORECASE)
_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?(W\d+)$", re.IGNORECASE)
_ARXIV_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")


def normalize_arxiv(text: str | None) -> str | None:
    """``arXiv:2305.17493v2`` or an abs/pdf URL → ``2305.17493``; None if not an arXiv id."""
    if not text:
        return None
    value = text.strip()
    url = _ARXIV_URL.match(value)
    if url:
        value = url.group(1)
    if value.lower().startswith("arxiv:"):
        value = value[6:].strip()
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        found = pattern.match(value)
        if found:
            return found.group(1)
    return None


def normalize_doi(text: str | None) -> str | None:
    """A DOI in canonical (lower-case, prefix-free) form; None if ``text`` is not one."""
    if not text:
        return None
    value = text.strip()
    url = _DOI_URL.match(value)
    if url:
        value = url.group(1)
    if value.lower().startswith("doi:"):
        value = value[4:].strip()
    return value.lower() if _DOI.match(value) else None


def arxiv_from_doi(doi: str | None) -> str | None:
    """The arXiv id inside an arXiv DOI (``10.48550/arXiv.2305.17493``), else None."""
    found = _ARXIV_DOI.match(doi or "")
    return normalize_arxiv(found.group(1)) if found else None


def is_arxiv_category(text: str | None) -> bool:
    """True for an arXiv category (``cs.LG``, ``hep-th``, ``cond-mat.stat-mech``), as opposed
    to a field of study or topic name from another source (``Computer Science``)."""
    if not text:
        return False
    return ("." in text or "-" in text) and _ARXIV_CATEGORY.match(text) is not None


def normalize_openalex(text: str | None) -> str | None:
    """``https://openalex.org/W123`` → ``W123``; None if not an OpenAlex work id."""
    found = _OPENALEX.match((text or "").strip())
    return found.group(1).upper() if found else None


@dataclass(frozen=True, slots=True)
class Reference:
    """What a user typed to name a paper, understood: an identifier column and value, or words."""

    column: str | None
    value: str | int


def parse_reference(text: str) -> Reference:
    """Tell which identifier ``text`` is; anything unrecognised is taken as title words."""
    value = text.strip()
    if arxiv := normalize_arxiv(value):
        return Reference("arxiv_id", arxiv)
    if doi := normalize_doi(value):
        if arxiv := arxiv_from_doi(doi):
            return Reference("arxiv_id", arxiv)
        return Reference("doi", doi)
    if corpus := _CORPUS.match(value):
        return Reference("corpus_id", int(corpus.group(1)))
    if s2 := (_S2.match(value) or _S2_URL.match(value)):
        return Reference("s2_id", (s2.group(1) if s2.re is _S2_URL else s2.group(0)).lower())
    if openalex := normalize_openalex(value):
        return Reference("openalex_id", openalex)
    return Reference(None, " ".join(value.split()))
