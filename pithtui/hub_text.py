"""The hub as plain text, read like the hub page: ``pithtui show``'s default output.

Every string from the data goes through :func:`pithtui.text.printable`, so a hostile title
cannot move the cursor, recolour the terminal or reorder the line it is on.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from pithtui.models import CitingPaper, FacetValue, Paper
from pithtui.text import printable, showing_sentence

if TYPE_CHECKING:  # the TUI's widgets use this module's labels, not the exporters (nor the store they load)
    from pithtui.export import HubReport

UNCLASSIFIED_LABEL = "unclassified"


def facet_label(value: str | int | None) -> str:
    """How a facet value is shown: the missing polarity is "unclassified"."""
    return UNCLASSIFIED_LABEL if value is None else printable(str(value))


def facet_line(values: Iterable[FacetValue]) -> str:
    return "  ".join(f"{facet_label(v.value)} {v.count}" for v in values)


def paper_meta(paper: Paper) -> str:
    """``cs.LG · 2026-05-19 · unverdicted · novelty 7.0``, as the hub page writes it."""
    parts = [
        printable(paper.category) or "—",
        paper.date.isoformat() if paper.date else "undated",
        printable(paper.verdict).lower(),
    ]
    if paper.novelty is not None:
        parts.append(f"novelty {paper.novelty:.1f}")
    return " · ".join(parts)


def polarity_note(unclassified: int, total: int) -> str:
    """The still-indexing sentence, or '' once every citation is classified."""
    if not unclassified:
        return ""
    return f"Polarity classification is still indexing ({total - unclassified} of {total} classified)."


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def explorer_line(row: CitingPaper, title_width: int) -> str:
    p = row.paper
    novelty = "" if p.novelty is None else f"{p.novelty:.1f}"
    return "  ".join(
        [
            f"{p.date.isoformat() if p.date else '':10}",
            f"{_clip(printable(p.category), 8):8}",
            f"{novelty:>4}",
            f"{_clip(printable(p.verdict), 11):11}",
            f"{_clip(printable(', '.join(row.roles)), 12):12}",
            f"{_clip(facet_label(row.polarity), 12):12}",
            _clip(printable(p.display_title), title_width),
        ]
    )


def write_text(report: HubReport, out: TextIO, *, width: int = 100, listed: int | None = None) -> None:
    """The hub page as text. ``listed`` is how many rows ``report.citing`` was cut to."""
    summary = report.summary
    paper = summary.paper
    wrap = textwrap.TextWrapper(width=width, initial_indent="  ", subsequent_indent="  ")
    out.write(f"{printable(paper.display_title)}\n")
    if paper.authors:
        out.write(wrap.fill(printable(", ".join(paper.authors))).strip() + "\n")
    ident = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else printable(paper.best_ref)
    out.write(f"{ident} · {printable(paper.category) or '—'} · {paper.date.isoformat() if paper.date else 'undated'}\n\n")
    stored = f" ({summary.citing_count} in the store)" if summary.citing_count != summary.cited_by else ""
    out.write(f"{summary.cited_by} papers cite this work{stored}.")
    note = polarity_note(summary.polarity_unclassified, summary.citing_count)
    out.write(f" {note}\n\n" if note else "\n\n")
    if paper.abstract:
        out.write("abstract\n" + wrap.fill(printable(paper.abstract)) + "\n\n")
    facets = report.facets
    out.write("citation-role summary\n  " + (facet_line(facets.role) or "no roles classified yet") + "\n\n")
    polarity = facet_line(v for v in facets.polarity if v.value is not None)
    pending = sum(v.count for v in facets.polarity if v.value is None)
    if pending:
        polarity = (polarity + "  " if polarity else "") + f"{UNCLASSIFIED_LABEL} {pending} (still indexing)"
    out.write("citation-polarity summary\n  " + (polarity or "none") + "\n\n")
    out.write("verdicts\n  " + (facet_line(facets.verdict) or "none") + "\n\n")
    if report.representatives:
        out.write("representative citing papers\n\n")
        for row in report.representatives:
            out.write(f"  {printable(row.paper.display_title)}\n  {paper_meta(row.paper)}\n")
            if row.paper.summary:
                out.write(wrap.fill(printable(row.paper.summary)) + "\n")
            out.write("\n")
    out.write("citing papers explorer\n")
    title_width = max(width - 70, 20)
    out.write(
        "  ".join(["date      ", "category", " nov", "verdict    ", "roles       ", "polarity    ", "title"])
        + "\n"
    )
    shown = 0
    for row in report.citing:
        out.write(explorer_line(row, title_width) + "\n")
        shown += 1
    more = f" (first {shown} listed; --limit to see more)" if listed is not None and shown < report.matched else ""
    out.write(f"\n{showing_sentence(report.matched, summary.citing_count)}{more}\n")
