"""pithtui's own JSON: what ``pithtui show --format json`` writes and ``import`` reads back.

Both directions live here so the format has one definition: export a hub, import it into an
empty store, and the same hub comes back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pithtui.classifier import ContextLabel
from pithtui.errors import InputError
from pithtui.identifiers import normalize_arxiv, normalize_doi, normalize_openalex
from pithtui.models import MODEL_LABELLER, UNVERDICTED, Citation, CitingPaper, Mine, Paper
from pithtui.sources import fields as F

FORMAT_NAME = "pithtui"
FORMAT_VERSION = 1


def paper_to_dict(paper: Paper) -> dict[str, Any]:
    """A paper as plain JSON values (no store id: ids are the store's own business)."""
    return {
        "title": paper.title,
        "authors": list(paper.authors),
        "date": paper.date.isoformat() if paper.date else None,
        "category": paper.category,
        "categories": list(paper.categories),
        "venue": paper.venue,
        "url": paper.url,
        "abstract": paper.abstract,
        "summary": paper.summary,
        "verdict": paper.verdict,
        "novelty": paper.novelty,
        "arxiv_id": paper.arxiv_id,
        "doi": paper.doi,
        "s2_id": paper.s2_id,
        "corpus_id": paper.corpus_id,
        "openalex_id": paper.openalex_id,
        "cited_by_reported": paper.cited_by_reported,
    }


def _context_to_dict(text: str, label: ContextLabel | None) -> dict[str, Any]:
    if label is None:
        return {"text": text, "roles": [], "polarity": None, "score": None}
    return {"text": text, "roles": [role for role, _ in label.roles], "polarity": label.polarity, "score": label.score}


def citing_to_dict(row: CitingPaper) -> dict[str, Any]:
    """A citing paper and how it cites the hub: the effective roles (most likely first) and
    polarity, who gave them (``roles_by``, ``polarity_by``: a source, ``pithtui:<model id>`` or
    None), and each context with the classifier's label of it."""
    labels = row.context_labels or (None,) * len(row.contexts)
    return {
        **paper_to_dict(row.paper),
        "roles": list(row.roles),
        "roles_by": row.roles_by,
        "polarity": row.polarity,
        "polarity_by": row.polarity_by,
        "polarity_score": row.polarity_score,
        "influential": row.influential,
        "representative": row.representative,
        "contexts": [_context_to_dict(text, label) for text, label in zip(row.contexts, labels)],
        "source": row.source,
        "mine": mine_to_dict(row.mine),
    }


def mine_to_dict(mine: Mine) -> dict[str, Any]:
    """The reader's own marks of a paper as exported (an import never reads them back as a
    source's: the reader's layer moves between stores with ``pithtui mine``)."""
    return {
        "starred": mine.starred,
        "read": mine.read,
        "note": mine.note,
        "verdict": mine.verdict,
        "changed_at": mine.changed_at.isoformat() if mine.changed_at else None,
    }


def _by_model(item: dict[str, Any], field: str) -> bool:
    """True when the record says pithtui's classifier gave ``field``'s value (``FIELD_by``):
    not a source's label, so not stored as one (the importing store labels the contexts itself)."""
    by = item.get(f"{field}_by")
    return isinstance(by, str) and by.startswith(MODEL_LABELLER)


def _contexts(item: dict[str, Any], where: str) -> tuple[str, ...]:
    """The contexts: plain strings, or objects with their ``text`` (as this format writes them)."""
    value = item.get("contexts")
    if isinstance(value, list):
        value = [
            F.text(entry, "text", f"{where}: contexts[{index}]") if isinstance(entry, dict) else entry
            for index, entry in enumerate(value)
        ]
    return F.strings({"contexts": value}, "contexts", where)


def paper_from_dict(record: Any, where: str) -> Paper:
    """A Paper from one JSON object; InputError naming ``where`` and the field when it is bad."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected an object, got {type(record).__name__}")
    arxiv_raw = F.text(record, "arxiv_id", where)
    arxiv = normalize_arxiv(arxiv_raw)
    if arxiv_raw and arxiv is None:
        raise F.fail(where, "arxiv_id", f"is not an arXiv id ({arxiv_raw!r})")
    doi_raw = F.text(record, "doi", where)
    doi = normalize_doi(doi_raw)
    if doi_raw and doi is None:
        raise F.fail(where, "doi", f"is not a DOI ({doi_raw!r})")
    openalex_raw = F.text(record, "openalex_id", where)
    # A paper known only by an identifier so far (a hub fetched by id) is written untitled.
    identified = any(record.get(name) for name in ("arxiv_id", "doi", "s2_id", "corpus_id", "openalex_id"))
    return Paper(
        title=F.text(record, "title", where, required=not identified) or "",
        authors=F.strings(record, "authors", where),
        date=F.date(record, "date", where),
        category=F.text(record, "category", where),
        categories=F.strings(record, "categories", where),
        venue=F.text(record, "venue", where),
        url=F.text(record, "url", where),
        abstract=F.text(record, "abstract", where),
        summary=F.text(record, "summary", where),
        verdict=(F.text(record, "verdict", where) or UNVERDICTED).upper(),
        novelty=F.number(record, "novelty", where, low=0, high=10),
        arxiv_id=arxiv,
        doi=doi,
        s2_id=F.text(record, "s2_id", where),
        corpus_id=F.integer(record, "corpus_id", where, high=F.BIGINT_MAX),
        openalex_id=normalize_openalex(openalex_raw) if openalex_raw else None,
        cited_by_reported=F.integer(record, "cited_by_reported", where),
    )


def looks_like(document: Any) -> bool:
    """True for a document in this format (for ``--format auto``)."""
    return isinstance(document, dict) and document.get("format") == FORMAT_NAME


def parse(document: Any, name: str = "<input>") -> list[Paper | Citation]:
    """The hub paper and its citations from a pithtui JSON document."""
    if not isinstance(document, dict) or "paper" not in document:
        raise InputError(f"{name}: not a pithtui hub document (no 'paper' object)")
    version = document.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(f"{name}: pithtui JSON version {version!r} is newer than this pithtui reads ({FORMAT_VERSION})")
    hub = paper_from_dict(document["paper"], f"{name}: paper")
    if hub.cited_by_reported is None and document.get("cited_by_reported") is not None:
        reported = F.integer(document, "cited_by_reported", name)
        hub = replace(hub, cited_by_reported=reported)
    records: list[Paper | Citation] = [hub]
    citing = document.get("citing", [])
    if not isinstance(citing, list):
        raise F.fail(name, "citing", "should be a list")
    for index, item in enumerate(citing):
        where = f"{name}: citing[{index}]"
        paper = paper_from_dict(item, where)
        records.append(
            Citation(
                citing=paper,
                cited=hub,
                roles=() if _by_model(item, "roles") else F.strings(item, "roles", where),
                polarity=None if _by_model(item, "polarity") else F.text(item, "polarity", where),
                influential=F.flag(item, "influential", where),
                contexts=_contexts(item, where),
                representative=F.flag(item, "representative", where),
                source=F.text(item, "source", where) or FORMAT_NAME,
            )
        )
    return records
