"""The services floor, outbound: a filtered hub as JSON, CSV, Markdown or BibTeX.

A :class:`HubReport` is what every format writes: the hub header, its facet counts, the
representatives and the citing papers (streamed from the repository page by page, so a hub
of a million citing papers exports without holding it in memory).
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from pithtui.errors import InputError
from pithtui.models import CitingPaper, Facets, Filters, HubSummary, Mine, Paper, SortKey
from pithtui.sources.pithtui_json import FORMAT_NAME, FORMAT_VERSION, citing_to_dict, paper_to_dict
from pithtui.store import HubRepository
from pithtui.text import cites_phrase, json_safe, printable, showing_sentence


@dataclass(frozen=True)
class HubReport:
    summary: HubSummary
    facets: Facets
    matched: int
    representatives: tuple[CitingPaper, ...]
    citing: Iterable[CitingPaper]
    """Streamed once, in the requested order."""


def build_report(
    repo: HubRepository,
    hub_id: int,
    filters: Filters = Filters(),
    sort: SortKey = SortKey.DATE,
    descending: bool = True,
    limit: int | None = None,
) -> HubReport:
    summary = repo.hub(hub_id)
    if summary.still_indexing:
        summary = replace(summary, without_context=repo.unlabelled_without_context(hub_id))
    return HubReport(
        summary=summary,
        facets=repo.facets(hub_id, filters),
        matched=repo.count(hub_id, filters),
        representatives=tuple(repo.representatives(hub_id)),
        citing=repo.iter_citing(hub_id, filters, sort, descending, limit=limit),
    )


def write_json(report: HubReport, out: TextIO) -> None:
    """pithtui JSON (readable back by ``pithtui import``), citing papers streamed one by one."""
    head = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "paper": paper_to_dict(report.summary.paper),
        "cited_by_reported": report.summary.cited_by_reported,
        "citing_count": report.summary.citing_count,
        "matched": report.matched,
        "facets": report.facets.as_dict(),
        "polarity_unclassified": report.summary.polarity_unclassified,
        "polarity_without_context": report.summary.without_context or 0,
        "representatives": [citing_to_dict(row) for row in report.representatives],
    }
    text = json_safe(json.dumps(head, ensure_ascii=False, indent=2))
    out.write(text[:-2] + ',\n  "citing": [')
    for index, row in enumerate(report.citing):
        out.write(",\n    " if index else "\n    ")
        out.write(json_safe(json.dumps(citing_to_dict(row), ensure_ascii=False)))
    out.write("\n  ]\n}\n")


CSV_COLUMNS = (
    "title", "authors", "date", "category", "verdict", "novelty", "roles", "polarity",
    "influential", "arxiv_id", "doi", "url", "summary", "starred", "read", "my_verdict", "note",
)  # fmt: skip


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes a cell for a formula by (OWASP's list for CSV injection)."""


def cell_for_spreadsheets(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: one that starts like a formula gets a single
    quote before it, which spreadsheets show as text (OWASP's advice)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(report: HubReport, out: TextIO, *, guard: bool = True) -> None:
    """One row per citing paper; lists joined with '; '. CSV has no escapes, so control codes
    and bidi overrides are dropped from the cells (line breaks stay, quoted), and a cell that
    starts like a formula (``=HYPERLINK(…)``) is kept from running as one (see
    :func:`cell_for_spreadsheets`), unless ``guard`` is false (``show --raw-csv``)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.citing:
        paper = row.paper
        cells = [
            paper.title,
            "; ".join(paper.authors),
            paper.date.isoformat() if paper.date else "",
            paper.category or "",
            paper.verdict,
            "" if paper.novelty is None else f"{paper.novelty:g}",
            "; ".join(row.roles),
            row.polarity or "",
            "yes" if row.influential else "",
            paper.arxiv_id or "",
            paper.doi or "",
            paper.url or "",
            paper.summary or "",
            "yes" if row.mine.starred else "",
            "yes" if row.mine.read else "",
            row.mine.verdict or "",
            row.mine.note,
        ]
        cells = [printable(cell, keep_newlines=True) for cell in cells]
        writer.writerow([cell_for_spreadsheets(cell) for cell in cells] if guard else cells)


def _md(text: str | None) -> str:
    """Inert Markdown table-cell text: no control codes, no pipes, no HTML, no link syntax."""
    cleaned = printable(text)
    return re.sub(r"([\\|*_`\[\]<>#])", r"\\\1", cleaned)


def write_markdown(report: HubReport, out: TextIO) -> None:
    summary = report.summary
    paper = summary.paper
    out.write(f"# {_md(paper.display_title)}\n\n")
    out.write(f"{cites_phrase(summary.cited_by)} ({summary.citing_count} in the store).\n\n")
    if paper.abstract:
        out.write(f"## Abstract\n\n{_md(paper.abstract)}\n\n")
    out.write("## Citing papers\n\n")
    out.write("| Title | Category | Date | Verdict | Novelty | Roles | Polarity |\n")
    out.write("|---|---|---|---|---|---|---|\n")
    for row in report.citing:
        p = row.paper
        novelty = "" if p.novelty is None else f"{p.novelty:.1f}"
        cells = [
            _md(p.display_title), _md(p.category), p.date.isoformat() if p.date else "", _md(p.verdict),
            novelty, _md(", ".join(row.roles)), _md(row.polarity or "unclassified"),
        ]  # fmt: skip
        out.write("| " + " | ".join(cells) + " |\n")
    out.write(f"\n{showing_sentence(report.matched, report.summary.citing_count)}\n")


_BIB_SPECIAL = re.compile(r"([{}\\])")


def _bib(text: str) -> str:
    return _BIB_SPECIAL.sub(r"\\\1", printable(text))


def bibtex_key(paper: Paper) -> str:
    """``surnameYEARword``: the first author's surname, the year and the title's first word."""
    surname = paper.authors[0].split()[-1] if paper.authors else "anon"
    word = next((w for w in re.findall(r"[A-Za-z]+", paper.title) if len(w) > 3), "paper")
    year = str(paper.date.year) if paper.date else ""
    return re.sub(r"[^A-Za-z0-9]", "", f"{surname}{year}{word}").lower() or "paper"


def bibtex_entry(paper: Paper, mine: Mine = Mine()) -> str:
    """One BibTeX entry: @article with a DOI or venue, else @misc (arXiv preprints); the reader's
    note in ``annote``, their star and verdict in ``keywords`` (as reference managers keep them)."""
    kind = "article" if paper.doi and not paper.arxiv_id else "misc"
    fields: list[tuple[str, str]] = [("title", f"{{{_bib(paper.title)}}}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bib(a) for a in paper.authors)))
    if paper.date:
        fields.append(("year", str(paper.date.year)))
    if paper.venue:
        fields.append(("journal" if kind == "article" else "howpublished", _bib(paper.venue)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if paper.category:
            fields.append(("primaryClass", _bib(paper.category)))
    if paper.doi:
        fields.append(("doi", _bib(paper.doi)))
    if paper.url:
        fields.append(("url", _bib(paper.url)))
    keywords = (["starred"] if mine.starred else []) + ([mine.verdict] if mine.verdict else [])
    if keywords:
        fields.append(("keywords", ", ".join(_bib(word) for word in keywords)))
    if mine.note:
        fields.append(("annote", _bib(mine.note)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{bibtex_key(paper)},\n{body}\n}}\n"


def write_bibtex(report: HubReport, out: TextIO) -> None:
    """The citing papers as BibTeX, keys made unique by a suffix."""
    seen: dict[str, int] = {}
    for row in report.citing:
        entry = bibtex_entry(row.paper, row.mine)
        key = bibtex_key(row.paper)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            entry = entry.replace(f"{{{key},", f"{{{key}{seen[key]},", 1)
        out.write(entry + "\n")


WRITERS: dict[str, Callable[[HubReport, TextIO], None]] = {
    "json": write_json,
    "csv": write_csv,
    "markdown": write_markdown,
    "bibtex": write_bibtex,
}
"""The file formats a filtered hub exports to (the one list of them)."""

SUFFIXES = {"json": ".json", "csv": ".csv", "markdown": ".md", "bibtex": ".bib"}
"""The file name ending of each format, for the names pithtui suggests."""


def _unwritable(path: Path, exc: OSError) -> InputError:
    return InputError(f"cannot write {path}: {exc.strerror or exc}")


@contextmanager
def whole_file(path: Path) -> Iterator[TextIO]:
    """``path`` written whole or not at all: a temporary file beside it, renamed into place
    once everything is written (an export that fails halfway leaves what was there before).
    The file is made by a plain exclusive open, so it gets the mode any new file would (the
    user's umask), where a ``tempfile`` one is private to its owner.

    Only a regular file (or a new name) is replaced so. A symbolic link is followed: its target
    is what gets written. A character device or a FIFO (``/dev/stdout``, a named pipe) is
    written to directly, as a stream; anything else (a folder, a socket) is refused."""
    path = path.resolve() if path.is_symlink() else path
    try:
        kind = path.stat().st_mode if path.exists() else None
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if kind is not None and (stat.S_ISCHR(kind) or stat.S_ISFIFO(kind)):
        try:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                yield stream
        except OSError as exc:
            raise _unwritable(path, exc) from None
        return
    if kind is not None and not stat.S_ISREG(kind):
        raise InputError(f"cannot write {path}: it is not a regular file")
    try:
        handle = open(path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp"), "x", encoding="utf-8", newline="")
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException as exc:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # the disk filled, the name is a folder's …
            raise _unwritable(path, exc) from None
        raise


def export_file(repo: HubRepository, hub_id: int, filters: Filters, sort: SortKey, descending: bool, fmt: str, path: Path) -> int:
    """Write the hub's citing papers under ``filters``, in that order, to ``path`` as ``fmt``;
    returns how many were written."""
    report = build_report(repo, hub_id, filters, sort, descending)
    with whole_file(path) as out:
        WRITERS[fmt](report, out)
    return report.matched
