"""OpenAlex work objects and ``/works`` result pages → papers.

OpenAlex says nothing of how a paper cites another (no contexts, no intents), and a result
page of ``/works?filter=cites:W…`` does not repeat which work it was filtered on: with
``--hub`` its works become citing papers of that hub, without it they are stored as papers.
The abstract comes as an inverted index (word → positions) and is put back in order; the arXiv
id is recovered from an arXiv DOI (``10.48550/arxiv.<id>``) or an ``arxiv.org/abs/<id>``
landing page.
"""

from __future__ import annotations

from typing import Any

from pithtui.errors import InputError
from pithtui.identifiers import normalize_arxiv, normalize_openalex
from pithtui.models import Paper
from pithtui.sources import fields as F
from pithtui.sources.document import Document
from pithtui.sources.fields import Record, Skipped

NAME = "openalex"
SOURCE = "openalex"


def _is_work(value: Any) -> bool:
    return isinstance(value, dict) and normalize_openalex(str(value.get("id") or "")) is not None


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("results"), list) and isinstance(value.get("meta"), dict)


def looks_like(doc: Document) -> bool:
    first = doc.first()
    return _is_work(first) or _is_page(first)


def abstract_text(index: Any, where: str) -> str | None:
    """The abstract from OpenAlex's inverted index ({word: [positions]})."""
    if index is None:
        return None
    if not isinstance(index, dict):
        raise F.fail(where, "abstract_inverted_index", f"should be an object, not {type(index).__name__}")
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in positions):
            raise F.fail(where, "abstract_inverted_index", f"should map words to positions (see {word!r})")
        for position in positions:
            placed[position] = word
    return " ".join(placed[p] for p in sorted(placed)) or None


def _locations(record: dict[str, Any], where: str) -> list[tuple[dict[str, Any], str]]:
    """The work's locations, primary first, each with how a message names it."""
    found: list[tuple[Any, str]] = [
        (record.get(field), f"{where}: {field}") for field in ("primary_location", "best_oa_location")
    ]
    found += [(loc, f"{where}: locations[{i}]") for i, loc in enumerate(F.items(record, "locations", where))]
    found = [(loc, loc_where) for loc, loc_where in found if loc is not None]
    for loc, loc_where in found:
        if not isinstance(loc, dict):
            raise InputError(f"{loc_where}: expected an object, got {type(loc).__name__}")
    return found


def _authors(record: dict[str, Any], where: str) -> tuple[str, ...]:
    authors: list[str | None] = []
    for index, item in enumerate(F.items(record, "authorships", where)):
        item_where = f"{where}: authorships[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{item_where}: expected an object, got {type(item).__name__}")
        author = F.obj(item, "author", item_where)
        authors.append(F.text(author, "display_name", f"{item_where}: author") if author else None)
    return F.unique(authors)


def work(record: dict[str, Any], where: str) -> Paper:
    """A Paper from an OpenAlex work object."""
    ids = F.obj(record, "ids", where) or {}
    doi, doi_arxiv = F.doi_and_arxiv(F.text(record, "doi", where) or F.text(ids, "doi", f"{where}: ids"), where, "doi")
    locations = _locations(record, where)
    urls = [F.text(loc, key, loc_where) for loc, loc_where in locations for key in ("landing_page_url", "pdf_url")]
    arxiv = doi_arxiv or next((found for url in urls if (found := normalize_arxiv(url))), None)
    venue = None
    for loc, loc_where in locations:
        if venue is None and (source := F.obj(loc, "source", loc_where)) is not None:
            venue = F.text(source, "display_name", f"{loc_where}: source")
    topic = F.obj(record, "primary_topic", where)
    primary = F.text(topic, "display_name", f"{where}: primary_topic") if topic else None
    topics = F.unique((primary, *F.names(record, "topics", where, "display_name")))
    return Paper(
        title=F.folded(F.text(record, "title", where) or F.text(record, "display_name", where)) or "",
        authors=_authors(record, where),
        date=F.date(record, "publication_date", where) or F.date(record, "publication_year", where),
        category=primary,
        categories=topics,
        venue=venue,
        url=next((url for url in urls if url), None) or (f"https://doi.org/{doi}" if doi else None),
        abstract=abstract_text(record.get("abstract_inverted_index"), where),
        arxiv_id=arxiv,
        doi=doi,
        openalex_id=normalize_openalex(str(record.get("id") or "")),
        cited_by_reported=F.integer(record, "cited_by_count", where),
    )


def parse(doc: Document, hub: Paper | None = None) -> list[Record]:
    """Papers (or, with a hub, its citing papers) from OpenAlex works and result pages."""
    if not doc.is_json:
        raise InputError(f"{doc.name}: not an OpenAlex answer (not JSON)")
    works: list[Paper] = []
    skipped: list[Record] = []

    def take(value: Any, where: str) -> None:
        if value is None:
            skipped.append(Skipped(where, "null (not found)"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                take(item, f"{where}[{index}]")
        elif _is_page(value):
            for index, item in enumerate(value["results"]):
                take(item, f"{where}: results[{index}]")
        elif _is_work(value):
            works.append(work(value, where))
        else:
            raise InputError(f"{where}: not an OpenAlex work or result page")

    for value, where in doc.entries():
        take(value, where)
    return F.with_hub(works, hub, SOURCE) + skipped
