"""A citing paper in full: what it is, how it cites the hub, and what can be done with it.

From here the paper's own hub opens (when the store holds papers citing it), its identifier or
BibTeX goes to the clipboard (OSC 52, so it works over SSH), and its page opens in a browser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from pithtui.errors import PithError
from pithtui.export import bibtex_entry
from pithtui.hub_text import context_label_line, how_cited, labelled_by, paper_meta
from pithtui.models import MODEL_LABELLER, CitingPaper, Mine, MineChange, Paper
from pithtui.store import HubRepository
from pithtui.text import counted, printable
from pithtui.tui.safe import literal
from pithtui.tui.widgets.footer import KeysFooter
from pithtui.tui.widgets.vim import VimScroll
from pithtui.tui.workers import ReportsWorkerErrors

IDENTIFIER_LABELS = {
    "arxiv_id": "arXiv",
    "doi": "DOI",
    "s2_id": "Semantic Scholar",
    "corpus_id": "S2 corpus id",
    "openalex_id": "OpenAlex",
}


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) for the paper's own URL and each identifier that has a public page."""
    links = [("page", paper.url)] if paper.url else []
    if paper.arxiv_id:
        links.append(("arXiv", f"https://arxiv.org/abs/{paper.arxiv_id}"))
    if paper.doi:
        links.append(("DOI", f"https://doi.org/{paper.doi}"))
    if paper.s2_id:
        links.append(("Semantic Scholar", f"https://www.semanticscholar.org/paper/{paper.s2_id}"))
    if paper.openalex_id:
        links.append(("OpenAlex", f"https://openalex.org/{paper.openalex_id}"))
    return list(dict.fromkeys(links))


@dataclass(frozen=True, slots=True)
class Detail:
    row: CitingPaper
    own_citing: int
    """How many citing papers the store holds for this paper's own hub."""


def lines(items: Iterable[str]) -> Text:
    """One literal line per item (each cleaned on its own), or "none recorded"."""
    return Text("\n").join(literal(item) for item in items) or Text("none recorded", style="dim")


def contexts_text(row: CitingPaper) -> Text:
    """Each citing sentence, with the classifier's label of it beneath: roles and polarity with
    their scores, the words that weighed most, and which model said so."""
    text = Text()
    labels = row.context_labels or (None,) * len(row.contexts)
    for sentence, label in zip(row.contexts, labels):
        text.append("“")
        text.append_text(literal(sentence, "italic"))
        text.append("”\n")
        if label is not None:
            text.append_text(literal(f"  {context_label_line(label)}", "dim"))
            text.append("\n")
    if any(labels) and row.model_id:
        text.append_text(literal(f"sentences labelled by {labelled_by(MODEL_LABELLER + row.model_id)}", "dim"))
        text.append("\n")
    return text


def yours(mine: Mine) -> Text:
    """The reader's own marks of the paper: star, read, verdict, then their note (inert text,
    clipped as every long text here is)."""
    parts = ["★ starred" if mine.starred else "not starred", "read" if mine.read else "unread"]
    parts.append(f"your verdict: {mine.verdict}" if mine.verdict else "no verdict of yours")
    text = literal(" · ".join(parts))
    if mine.note:
        text.append("\n")
        text.append_text(literal(mine.note, keep_newlines=True))
    else:
        text.append("\nno note (N writes one in the explorer)", style="dim")
    return text


def describe(detail: Detail) -> Text:
    """The whole detail page as one literal Text."""
    row, paper = detail.row, detail.row.paper
    text = literal(paper.display_title, "bold")
    text.append("\n")
    if paper.authors:
        text.append_text(literal(", ".join(paper.authors)))
        text.append("\n")
    text.append_text(literal(paper_meta(paper), "dim"))
    text.append("\n")

    def section(title: str, body: Text) -> None:
        text.append(f"\n{title}\n", style="bold underline")
        text.append_text(body)
        text.append("\n")

    section("yours", yours(row.mine))
    section("identifiers", lines(f"{IDENTIFIER_LABELS[name]}: {value}" for name, value in paper.identifiers.items()))
    section("how it cites the hub", lines([*how_cited(row), *(["influential citation"] if row.influential else [])]))
    if paper.summary:
        section("summary", literal(paper.summary))
    if row.contexts:
        section("citation contexts", contexts_text(row))
    if paper.abstract:
        section("abstract", literal(paper.abstract, keep_newlines=True))
    links = paper_links(paper)
    section("links", lines(f"{label}: {url}" for label, url in links))
    own = detail.own_citing
    section(
        "its own hub",
        Text(
            f"{counted(own, 'citing paper')} in the store — press h to open it" if own else "no papers citing it in the store",
        ),
    )
    return text


class DetailScreen(ReportsWorkerErrors, Screen[None]):
    """One citing paper of a hub, in full."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("h", "open_hub", "Its hub", id="detail.hub"),
        Binding("c", "copy_id", "Copy id", id="detail.copy_id"),
        Binding("b", "copy_bibtex", "Copy BibTeX", id="detail.copy_bibtex"),
        Binding("u", "open_url", "Open URL", id="detail.open_url"),
    ]

    class Loaded(Message):
        def __init__(self, detail: Detail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, repo: HubRepository, hub_id: int, paper_id: int, *, mark_read: bool = False) -> None:
        """``mark_read``: the reader's settings mark a paper read when its detail opens."""
        super().__init__()
        self._repo = repo
        self.hub_id, self.paper_id = hub_id, paper_id
        self._mark_read = mark_read
        self.detail: Detail | None = None

    def compose(self) -> ComposeResult:
        with VimScroll(id="detail-body"):
            yield Static(Text("…"), id="detail-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self._load()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load(self) -> None:
        row = self._repo.citing_paper(self.hub_id, self.paper_id)
        if self._mark_read and not row.mine.read:
            try:
                row = replace(row, mine=self._repo.mark(self.paper_id, MineChange(read=True)))
            except PithError as error:  # a read-only store: the detail shows all the same
                self.app.notify(f"Not marked read: {error}", title="pithtui", severity="warning", markup=False, timeout=6)
        self.post_message(self.Loaded(Detail(row, self._repo.count(self.paper_id))))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.detail = message.detail
        self.query_one("#detail-text", Static).update(describe(message.detail))
        self.refresh_bindings()

    @property
    def paper(self) -> Paper | None:
        return self.detail.row.paper if self.detail else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_hub":
            return bool(self.detail and self.detail.own_citing)
        if action in {"copy_id", "copy_bibtex", "open_url"}:
            return self.detail is not None
        return True

    def action_open_hub(self) -> None:
        if self.paper is not None and self.paper.id is not None:
            self.app.open_hub(self.paper.id)  # type: ignore[attr-defined]

    def _copy(self, what: str, text: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {printable(what)} to the clipboard", markup=False)

    def action_copy_id(self) -> None:
        if self.paper is not None:
            self._copy(self.paper.best_ref, self.paper.best_ref)

    def action_copy_bibtex(self) -> None:
        if self.paper is not None:
            self._copy("the BibTeX entry", bibtex_entry(self.paper))

    def action_open_url(self) -> None:
        paper = self.paper
        if paper is None:
            return
        links = paper_links(paper)
        if not links:
            self.notify("No URL is known for this paper", severity="warning")
            return
        url = links[0][1]
        self.app.open_url(url)
        self.notify(f"Opening {printable(url)}", markup=False)
