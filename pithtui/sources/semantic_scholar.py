"""Semantic Scholar Graph API answers → papers and citations.

Accepted, alone, in a JSON list or as JSON Lines: a paper object (``/paper/{id}``, perhaps
with embedded ``citations`` / ``references``), a page envelope ``{offset, next, data}`` of the
citations or references endpoint, a citation edge (``citingPaper``) and a reference edge
(``citedPaper``). An edge carries how it cites: ``contexts``, ``intents`` and
``contextsWithIntent`` (intents become roles, lower-cased and mapped by ``INTENT_ROLES``) and ``isInfluential``.

A bare edge does not say which paper its page belongs to: that is the hub the user names
(``--hub``), or else the one paper object of the same file.
"""

from __future__ import annotations

from typing import Any

from pithtui.errors import InputError
from pithtui.models import Citation, Paper
from pithtui.sources import fields as F
from pithtui.sources.document import Document
from pithtui.sources.fields import Record, Skipped

NAME = "s2"
SOURCE = "semantic-scholar"
"""What a citation from here records as its source."""

EDGE_FIELDS = ("citingPaper", "citedPaper")
PAPER_KEYS = frozenset({"paperId", "externalIds", "corpusId"})


def _is_edge(value: Any) -> bool:
    return isinstance(value, dict) and not value.keys().isdisjoint(EDGE_FIELDS)


def _is_paper(value: Any) -> bool:
    return isinstance(value, dict) and not PAPER_KEYS.isdisjoint(value)


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("data"), list) and ("offset" in value or "next" in value)


def looks_like(doc: Document) -> bool:
    first = doc.first()
    if _is_page(first):
        data = first["data"]
        return not data or _is_edge(data[0]) or _is_paper(data[0])
    return _is_edge(first) or _is_paper(first)


def paper(record: dict[str, Any], where: str) -> Paper:
    """A Paper from a Semantic Scholar paper object (any subset of its fields)."""
    ids = F.obj(record, "externalIds", where) or {}
    ids_where = f"{where}: externalIds"
    arxiv = F.arxiv_id(F.text(ids, "ArXiv", ids_where), ids_where, "ArXiv")
    doi, doi_arxiv = F.doi_and_arxiv(F.text(ids, "DOI", ids_where), ids_where, "DOI")
    corpus = F.integer(ids, "CorpusId", ids_where, high=F.BIGINT_MAX)
    if corpus is None:
        corpus = F.integer(record, "corpusId", where, high=F.BIGINT_MAX)
    s2_id = F.text(record, "paperId", where)
    fields_of_study = F.unique(
        (*F.strings(record, "fieldsOfStudy", where), *F.names(record, "s2FieldsOfStudy", where, "category"))
    )
    tldr = F.obj(record, "tldr", where)
    venue = F.text(record, "venue", where)
    for nested in ("publicationVenue", "journal"):
        if venue is None and (found := F.obj(record, nested, where)) is not None:
            venue = F.text(found, "name", f"{where}: {nested}")
    return Paper(
        title=F.folded(F.text(record, "title", where)) or "",
        authors=F.names(record, "authors", where, "name"),
        date=F.date(record, "publicationDate", where) or F.date(record, "year", where),
        category=fields_of_study[0] if fields_of_study else None,
        categories=fields_of_study,
        venue=venue,
        url=F.text(record, "url", where),
        abstract=F.text(record, "abstract", where),
        summary=F.text(tldr, "text", f"{where}: tldr") if tldr else None,
        arxiv_id=arxiv or doi_arxiv,
        doi=doi,
        s2_id=s2_id.lower() if s2_id else None,
        corpus_id=corpus,
        cited_by_reported=F.integer(record, "citationCount", where),
    )


INTENT_ROLES = {"methodology": "uses", "result": "compares"}
"""Semantic Scholar's intents (SciCite's classes) as the roles of ACL-ARC and ACT that pithtui's
classifier gives: a method taken is *uses*, a result compared is *compares*; *background* is
itself. Other intents are kept as given."""


def _how(edge: dict[str, Any], where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roles (intents, lower-cased) and contexts of an edge, from all three fields."""
    contexts = list(F.strings(edge, "contexts", where))
    roles = list(F.strings(edge, "intents", where))
    for index, item in enumerate(F.items(edge, "contextsWithIntent", where)):
        context, intents = (item.get("context"), item.get("intents")) if isinstance(item, dict) else (None, None)
        if isinstance(context, str) and isinstance(intents, list):
            contexts.append(context.strip())
            roles.extend(intents)
            continue
        item_where = f"{where}: contextsWithIntent[{index}]"  # spelt out only when something is off
        if not isinstance(item, dict):
            raise InputError(f"{item_where}: expected an object, got {type(item).__name__}")
        contexts.append(F.text(item, "context", item_where) or "")
        roles.extend(F.strings(item, "intents", item_where))
    try:
        lowered = [r.strip().lower() for r in roles]
    except AttributeError:  # an intent that is not text
        raise F.fail(where, "intents", "should be lists of text") from None
    return F.unique(INTENT_ROLES.get(r, r) for r in lowered), F.unique(contexts)


def edge(record: dict[str, Any], where: str, hub: Paper) -> Record:
    """A citation from a citations-page edge (``citingPaper`` cites ``hub``) or a
    references-page edge (``hub`` cites ``citedPaper``)."""
    field = "citingPaper" if "citingPaper" in record else "citedPaper"
    other = F.obj(record, field, where)
    if other is None:
        return Skipped(where, f"{field} is null")
    found = paper(other, f"{where}: {field}")
    roles, contexts = _how(record, where)
    citing, cited = (found, hub) if field == "citingPaper" else (hub, found)
    return Citation(
        citing=citing,
        cited=cited,
        roles=roles,
        influential=F.flag(record, "isInfluential", where),
        contexts=contexts,
        source=SOURCE,
    )


class _Reader:
    """Walks the values of one document, collecting records and the edges that wait for a hub."""

    def __init__(self, hub: Paper | None) -> None:
        self.hub = hub
        self.records: list[Record] = []
        self.papers: list[Paper] = []
        """Top-level paper objects: the hub of bare edges when the user named none."""
        self.waiting: list[tuple[dict[str, Any], str]] = []

    def value(self, value: Any, where: str, *, top: bool = True) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, f"{where}[{index}]", top=top)
        elif value is None:
            self.records.append(Skipped(where, "null (not found)"))
        elif _is_page(value):
            for index, item in enumerate(value["data"]):
                self.value(item, f"{where}: data[{index}]", top=False)
        elif _is_edge(value):
            self.waiting.append((value, where))
        elif _is_paper(value):
            self.paper_object(value, where, top=top)
        elif isinstance(value, dict) and "error" in value:
            raise InputError(f"{where}: an error answer from Semantic Scholar: {value['error']}")
        else:
            raise InputError(f"{where}: not a Semantic Scholar paper, citation or page")

    def paper_object(self, record: dict[str, Any], where: str, *, top: bool) -> None:
        found = paper(record, where)
        if top:
            self.papers.append(found)
        self.records.extend(F.with_hub([found], self.hub, SOURCE))
        for field, cites in (("citations", False), ("references", True)):
            for index, item in enumerate(F.items(record, field, where)):
                item_where = f"{where}: {field}[{index}]"
                if item is None:
                    self.records.append(Skipped(item_where, "null (not found)"))
                elif not isinstance(item, dict):
                    raise InputError(f"{item_where}: expected an object, got {type(item).__name__}")
                elif _is_edge(item):
                    self.records.append(edge(item, item_where, found))
                else:
                    other = paper(item, item_where)
                    citing, cited = (found, other) if cites else (other, found)
                    self.records.append(Citation(citing=citing, cited=cited, source=SOURCE))

    def finish(self, name: str) -> list[Record]:
        hub = self.hub
        if self.waiting and hub is None:
            if len(self.papers) != 1:
                count = len(self.waiting)
                raise InputError(
                    f"{name}: {count} citation edge{'s' if count != 1 else ''} but no paper to attach "
                    f"{'them' if count != 1 else 'it'} to; name the paper with --hub REF (e.g. --hub CorpusId:14514057)"
                )
            hub = self.papers[0]
        return self.records + [edge(value, where, hub) for value, where in self.waiting if hub]


def parse(doc: Document, hub: Paper | None = None) -> list[Record]:
    """Papers and citations from a document of Semantic Scholar answers."""
    if not doc.is_json:
        raise InputError(f"{doc.name}: not a Semantic Scholar answer (not JSON)")
    reader = _Reader(hub)
    for value, where in doc.entries():
        reader.value(value, where)
    return reader.finish(doc.name)
