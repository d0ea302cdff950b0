"""The hub pane: the cited paper and how it is cited, read like the hub page.

Title, authors, identifiers, the headline count, the abstract (collapsible), the role,
polarity and verdict summaries, and the representative citing papers (choose one to open it).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Collapsible, Label, Static
from textual.widgets.option_list import Option

from pithtui.hub_text import NO_ROLES, facet_label, paper_meta, polarity_note
from pithtui.models import CitingPaper, Facets, FacetValue, HubSummary
from pithtui.text import cites_phrase
from pithtui.tui.labels import reference
from pithtui.tui.safe import literal
from pithtui.tui.widgets.vim import VimOptionList


def headline(summary: HubSummary) -> str:
    """``30 papers cite this work · 8 in the store`` (the store's count only when it differs)."""
    stored = f" · {summary.citing_count} in the store" if summary.citing_count != summary.cited_by else ""
    return cites_phrase(summary.cited_by) + stored


def counts_line(values: Iterable[FacetValue], empty: str) -> Text:
    """``background 2  baseline 1`` with the values literal and the counts bold."""
    line = Text()
    for value in values:
        if line:
            line.append("   ")
        line.append_text(literal(facet_label(value.value)))
        line.append(f" {value.count}", style="bold")
    return line or Text(empty, style="dim")


def representative_prompt(row: CitingPaper) -> Text:
    """Title; category · date · verdict · novelty; the one-line summary."""
    prompt = literal(row.paper.display_title, "bold")
    prompt.append("\n")
    prompt.append_text(literal(paper_meta(row.paper), "dim"))
    if row.paper.summary:
        prompt.append("\n")
        prompt.append_text(literal(row.paper.summary))
    return prompt


class HubPane(VerticalScroll):
    """The cited paper's header and summaries; scrolls on its own at small sizes."""

    def compose(self) -> ComposeResult:
        yield Static(id="hub-title")
        yield Static(id="hub-authors")
        yield Static(id="hub-ids")
        yield Static(id="hub-count")
        with Collapsible(title="abstract", id="hub-abstract"):
            yield Static(id="hub-abstract-text")
        yield Label("citation-role summary", classes="pane-title")
        yield Static(id="hub-roles")
        yield Label("citation-polarity summary", classes="pane-title")
        yield Static(id="hub-polarity")
        yield Label("verdicts", classes="pane-title")
        yield Static(id="hub-verdicts")
        yield Label("representative citing papers", classes="pane-title")
        yield VimOptionList(id="representatives")

    def show(self, summary: HubSummary, base: Facets, representatives: list[CitingPaper]) -> None:
        """Fill the pane for one hub (``base``: its facets with no filter)."""
        paper = summary.paper
        self.query_one("#hub-title", Static).update(literal(paper.display_title, "bold"))
        self.query_one("#hub-authors", Static).update(literal(", ".join(paper.authors)))
        ids = [reference(paper), paper.category or "—", paper.date.isoformat() if paper.date else "undated"]
        self.query_one("#hub-ids", Static).update(literal(" · ".join(i for i in ids if i), "dim"))
        self.show_count(summary)
        abstract = self.query_one("#hub-abstract", Collapsible)
        abstract.display = bool(paper.abstract)
        self.query_one("#hub-abstract-text", Static).update(literal(paper.abstract, keep_newlines=True))
        self.query_one("#hub-roles", Static).update(counts_line(base.role, NO_ROLES))
        self.query_one("#hub-polarity", Static).update(counts_line(base.polarity, "none"))
        self.query_one("#hub-verdicts", Static).update(counts_line(base.verdict, "none"))
        options = self.query_one("#representatives", VimOptionList)
        options.clear_options()
        options.add_options(Option(representative_prompt(row), id=str(row.paper.id)) for row in representatives)

    def show_count(self, summary: HubSummary) -> None:
        """The headline count and the still-indexing sentence (again once ``without_context``
        is counted)."""
        count = Text(headline(summary), style="bold")
        note = polarity_note(summary.polarity_unclassified, summary.citing_count, summary.without_context)
        if note:
            count.append("  " + note, style="italic")
        self.query_one("#hub-count", Static).update(count)

    def toggle_abstract(self) -> None:
        abstract = self.query_one("#hub-abstract", Collapsible)
        abstract.collapsed = not abstract.collapsed
