"""The hub as plain text, read like the hub page: ``pithtui show``'s default output.

Every string from the data goes through :func:`pithtui.text.shown` (clipped, then printable),
so a hostile title cannot move the cursor, recolour the terminal, reorder the line it is on or
take long to print.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from pithtui.classifier import ContextLabel
from pithtui.models import CitingPaper, FacetValue, Paper
from pithtui.text import cites_phrase, showing_sentence, shown

if TYPE_CHECKING:  # the TUI's widgets use this module's labels, not the exporters (nor the store they load)
    from pithtui.export import HubReport

UNCLASSIFIED_LABEL = "unclassified"
NO_ROLES = "no roles recorded yet"
"""The role summary of a hub none of whose citations has a role (yet)."""


def facet_label(value: str | int | None) -> str:
    """How a facet value is shown: the missing polarity is "unclassified"."""
    return UNCLASSIFIED_LABEL if value is None else shown(str(value))


def facet_line(values: Iterable[FacetValue]) -> str:
    return "  ".join(f"{facet_label(v.value)} {v.count}" for v in values)


def paper_meta(paper: Paper) -> str:
    """``cs.LG · 2026-05-19 · unverdicted · novelty 7.0``, as the hub page writes it."""
    parts = [
        shown(paper.category) or "—",
        paper.date.isoformat() if paper.date else "undated",
        shown(paper.verdict).lower(),
    ]
    if paper.novelty is not None:
        parts.append(f"novelty {paper.novelty:.1f}")
    return " · ".join(parts)


def polarity_note(unclassified: int, total: int, without_context: int | None = None) -> str:
    """The still-indexing sentence, or '' once every citation is classified. ``without_context``
    (when counted) is how many of the unclassified have no citing sentence to classify: when
    that is all of them, nothing is left to index and the sentence says so."""
    if not unclassified:
        return ""
    classified = f"{total - unclassified} of {total} classified"
    if not without_context:
        return f"Polarity classification is still indexing ({classified})."
    none = f"{without_context} {'has' if without_context == 1 else 'have'} no citing sentence to classify"
    if without_context >= unclassified:
        return f"Polarity: {classified}; the other {none}."
    return f"Polarity classification is still indexing ({classified}; {none})."


LABELLERS = {"semantic_scholar": "Semantic Scholar", "pith": "Pith"}
"""How the sources that label citations are named to a reader (others: as stored)."""


def labelled_by(by: str | None) -> str:
    """Who gave a label, for a reader: a source's name, or ``pithtui:<model id>`` as it is."""
    return LABELLERS.get(by or "", shown(by or "nobody"))


def how_cited(row: CitingPaper) -> list[str]:
    """``roles: uses, background (by pithtui:…)`` and ``polarity: contrasting 0.83 (by …)``."""
    roles = f"roles: {shown(', '.join(row.roles))} (by {labelled_by(row.roles_by)})" if row.roles else "roles: none recorded"
    if row.polarity is None:
        return [roles, f"polarity: {UNCLASSIFIED_LABEL}"]
    score = f" {row.polarity_score:.2f}" if row.polarity_score is not None else ""
    return [roles, f"polarity: {facet_label(row.polarity)}{score} (by {labelled_by(row.polarity_by)})"]


def context_label_line(label: ContextLabel) -> str:
    """The classifier's label of one citing sentence: ``uses 0.71, background 0.20 · contrasting
    0.83 · cues: however, fails to``."""
    roles = ", ".join(f"{role} {score:.2f}" for role, score in label.roles)
    cues = f" · cues: {shown(', '.join(label.cues))}" if label.cues else ""
    return f"{roles} · {label.polarity} {label.score:.2f}{cues}"


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in "…" when it was longer."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


COLUMNS = (("date", 10), ("category", 8), ("nov", -4), ("verdict", 11), ("roles", 12), ("polarity", 12))
"""The explorer's fixed columns (name, width; negative: right-aligned), then the title."""
FIXED_WIDTH = sum(abs(w) for _, w in COLUMNS) + 2 * len(COLUMNS)
TITLE_MIN = 20
"""Below this much room for the title after the fixed columns, it goes on a line of its own."""


def _cells(values: Iterable[str]) -> str:
    return "  ".join(f"{clip(v, abs(w)):>{-w}}" if w < 0 else f"{clip(v, w):{w}}" for v, (_, w) in zip(values, COLUMNS))


def explorer_lines(row: CitingPaper, width: int) -> str:
    """A citing paper as the explorer lists it: its columns, then its title, clipped to fit
    ``width`` on the same line, or indented on the next when the columns leave too little (the
    columns themselves are clipped only below ~70 columns)."""
    p = row.paper
    cells = _cells(
        [
            p.date.isoformat() if p.date else "",
            shown(p.category),
            "" if p.novelty is None else f"{p.novelty:.1f}",
            shown(p.verdict),
            shown(", ".join(row.roles)),
            facet_label(row.polarity),
        ]
    )
    title = shown(p.display_title)
    if width - FIXED_WIDTH >= TITLE_MIN:
        return f"{cells}  {clip(title, width - FIXED_WIDTH)}"
    return f"{clip(cells.rstrip(), width)}\n    {clip(title, width - 4)}"


def write_text(report: HubReport, out: TextIO, *, width: int = 100, listed: int | None = None) -> None:
    """The hub page as text. ``listed`` is how many rows ``report.citing`` was cut to."""
    summary = report.summary
    paper = summary.paper
    wrap = textwrap.TextWrapper(width=width, initial_indent="  ", subsequent_indent="  ")
    out.write(textwrap.fill(shown(paper.display_title), width=width) + "\n")
    if paper.authors:
        out.write(wrap.fill(shown(", ".join(paper.authors))).strip() + "\n")
    ident = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else shown(paper.best_ref)
    out.write(f"{ident} · {shown(paper.category) or '—'} · {paper.date.isoformat() if paper.date else 'undated'}\n\n")
    stored = f" ({summary.citing_count} in the store)" if summary.citing_count != summary.cited_by else ""
    note = polarity_note(summary.polarity_unclassified, summary.citing_count, summary.without_context)
    counts = f"{cites_phrase(summary.cited_by)}{stored}." + (f" {note}" if note else "")
    out.write(textwrap.fill(counts, width=width) + "\n\n")
    if paper.abstract:
        out.write("abstract\n" + wrap.fill(shown(paper.abstract)) + "\n\n")
    facets = report.facets
    out.write("citation-role summary\n  " + (facet_line(facets.role) or NO_ROLES) + "\n\n")
    polarity = facet_line(v for v in facets.polarity if v.value is not None)
    pending = sum(v.count for v in facets.polarity if v.value is None)
    if pending:
        polarity = (polarity + "  " if polarity else "") + f"{UNCLASSIFIED_LABEL} {pending} (still indexing)"
    out.write("citation-polarity summary\n  " + (polarity or "none") + "\n\n")
    out.write("verdicts\n  " + (facet_line(facets.verdict) or "none") + "\n\n")
    if report.representatives:
        out.write("representative citing papers\n\n")
        for row in report.representatives:
            out.write(f"{wrap.fill(shown(row.paper.display_title))}\n{wrap.fill(paper_meta(row.paper))}\n")
            if row.paper.summary:
                out.write(wrap.fill(shown(row.paper.summary)) + "\n")
            out.write("\n")
    out.write("citing papers explorer\n")
    out.write(clip(_cells(name for name, _ in COLUMNS) + "  title", width) + "\n")
    written = 0
    for row in report.citing:
        out.write(explorer_lines(row, width) + "\n")
        written += 1
    more = f" (first {written} listed; --limit to see more)" if listed is not None and written < report.matched else ""
    out.write(f"\n{showing_sentence(report.matched, summary.citing_count)}{more}\n")
