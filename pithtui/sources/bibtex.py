"""BibTeX entries → papers, parsed by bibtexparser (v2), LaTeX decoded to plain text.

Mapped: title, author (``Last, First`` turned to ``First Last``), date or year and month,
journal / booktitle / howpublished / publisher as the venue, doi, eprint with an arXiv
archive prefix (or an arXiv DOI or URL) as the arXiv id, primaryClass as the category, url,
abstract. A block bibtexparser cannot parse fails the file, naming its line; a second entry
with an already used key is skipped and counted.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from pithtui.errors import InputError
from pithtui.identifiers import normalize_arxiv
from pithtui.models import Paper
from pithtui.sources import fields as F
from pithtui.sources.document import Document
from pithtui.sources.fields import Record, Skipped

NAME = "bibtex"
SOURCE = "bibtex"
_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "howpublished", "publisher")
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip


def looks_like(doc: Document) -> bool:
    return not doc.is_json and _ENTRY.search(doc.text) is not None


def _person(name: str) -> str:
    """``Shumailov, Ilia`` → ``Ilia Shumailov``; other forms as they are."""
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    return F.folded(name) or ""


def _date(values: dict[str, Any], where: str) -> dt.date | None:
    if values.get("date"):
        return F.date(values, "date", where)
    year = F.date(values, "year", where)
    month = str(values.get("month") or "").strip().lower()[:3]
    number = MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return year.replace(month=number) if year and number else year


def entry(values: dict[str, Any], where: str) -> Paper:
    """A Paper from the (decoded) fields of one BibTeX entry."""
    authors = values.get("author") or []
    doi, doi_arxiv = F.doi_and_arxiv(F.text(values, "doi", where), where, "doi")
    url = F.text(values, "url", where)
    eprint = F.text(values, "eprint", where)
    prefix = (F.text(values, "archiveprefix", where) or F.text(values, "eprinttype", where) or "").lower()
    if prefix == "arxiv":
        arxiv = F.arxiv_id(eprint, where, "eprint")
    else:  # no archive named: an eprint that reads as an arXiv id is taken as one
        arxiv = normalize_arxiv(eprint) if eprint and not prefix else None
    category = F.text(values, "primaryclass", where)
    return Paper(
        title=F.folded(F.text(values, "title", where)) or "",
        authors=F.unique(_person(a) for a in (authors if isinstance(authors, list) else [authors])),
        date=_date(values, where),
        category=category,
        categories=(category,) if category else (),
        venue=next((v for field in VENUE_FIELDS if (v := F.folded(F.text(values, field, where)))), None),
        url=url,
        abstract=F.folded(F.text(values, "abstract", where)),
        arxiv_id=arxiv or doi_arxiv or normalize_arxiv(url),
        doi=doi,
    )


def parse(doc: Document, hub: Paper | None = None) -> list[Record]:
    """Papers (or, with a hub, its citing papers) from a BibTeX file."""
    import bibtexparser  # imported here: it is slow to import and only this format needs it
    from bibtexparser import middlewares
    from bibtexparser.model import DuplicateBlockKeyBlock

    if doc.is_json:
        raise InputError(f"{doc.name}: not BibTeX (it is JSON)")
    # bibtexparser logs each bad block as a warning; the import reports it as an error itself.
    quiet = logging.getLogger("bibtexparser")
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    library = bibtexparser.parse_string(
        doc.text, append_middleware=[middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()]
    )
    skipped: list[Record] = []
    for block in library.failed_blocks:
        assert block.start_line is not None  # the parser numbers every block it splits off
        where = f"{doc.name}: line {block.start_line + 1}"
        if isinstance(block, DuplicateBlockKeyBlock):
            skipped.append(Skipped(where, f"duplicate key {block.key!r}"))
            continue
        problem = getattr(block.error, "abort_reason", "") or str(block.error) or type(block.error).__name__
        raise InputError(f"{where}: cannot parse this BibTeX entry ({problem})")
    if not library.entries and not skipped:
        raise InputError(f"{doc.name}: no BibTeX entries found")
    broken = _cut_short(library.blocks)
    papers = []
    for item in library.entries:
        assert item.start_line is not None  # the parser numbers every block it splits off
        where = f"{doc.name}: @{item.entry_type}{{{item.key}}} (line {item.start_line + 1})"
        if id(item) in broken:
            skipped.append(Skipped(where, "its braces do not balance, so it cannot be read whole"))
            continue
        values = {key.lower(): field.value for key, field in item.fields_dict.items()}
        papers.append(entry(values, where))
    if not papers and broken:
        raise InputError(f"{doc.name}: no BibTeX entry could be read whole (their braces do not balance)")
    return F.with_hub(papers, hub, SOURCE) + skipped


def _cut_short(blocks: list[Any]) -> set[int]:
    """The ``id()`` of each entry the parser ended early: one whose braces close before its end
    (``title={Unbalanced }} braces}``) leaves the rest of it behind as text on the line where
    the parser stopped, which no well-formed file has."""
    from bibtexparser.model import Entry, ImplicitComment

    broken: set[int] = set()
    for before, block in zip(blocks, blocks[1:]):
        if isinstance(before, Entry) and isinstance(block, ImplicitComment) and block.comment.strip():
            assert before.start_line is not None and block.start_line is not None
            if block.start_line == before.start_line + (before.raw or "").count("\n"):
                broken.add(id(before))
    return broken
