"""The paper picker: find a paper in the store by title words or an identifier, open its hub.

Opened with ``o`` or from the command palette, and on start when the reference given on the
command line matches nothing (with those words already typed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pithtui.models import PaperListing
from pithtui.store import HubRepository
from pithtui.text import counted
from pithtui.tui.labels import reference
from pithtui.tui.safe import literal
from pithtui.tui.widgets.vim import VimOptionList
from pithtui.tui.workers import ReportsWorkerErrors

LISTED = 100
"""Papers listed at most (the most cited first); more words narrow it."""

EMPTY_STORE = "The store is empty: try `pithtui import FILE` or `pithtui fetch REF`"
"""What the picker says when nothing is typed and nothing is listed (a new store of --db)."""


def listing_prompt(listing: PaperListing) -> Text:
    """Title, then ``arXiv 2305.17493 · 8 citing papers in the store``."""
    paper = listing.paper
    prompt = literal(paper.display_title, "bold")
    details = [reference(paper), f"{counted(listing.citing_count, 'citing paper')} in the store"]
    prompt.append("\n")
    prompt.append_text(literal(" · ".join(d for d in details if d), "dim"))
    return prompt


class PickerScreen(ReportsWorkerErrors, ModalScreen[int | None]):
    """Choose a paper; dismisses with its store id (None if the user backs out)."""

    BINDINGS = [
        Binding("escape", "dismiss_picker", "Close", id="picker.close"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("enter", "choose", "Open hub", id="picker.open", priority=True),
    ]

    class Listed(Message):
        def __init__(self, search: str, listings: list[PaperListing]) -> None:
            super().__init__()
            self.search, self.listings = search, listings

    def __init__(self, repo: HubRepository, search: str = "") -> None:
        super().__init__()
        self._repo = repo
        self._search = search

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label("Open a hub: title words, arXiv id, DOI or Semantic Scholar id", id="picker-title")
            yield Input(self._search, placeholder="search the papers in the store", id="picker-search")
            yield VimOptionList(id="picker-list")
            yield Label("", id="picker-status")

    def on_mount(self) -> None:
        self._list(self._search)

    @on(Input.Changed, "#picker-search")
    def _typed(self, event: Input.Changed) -> None:
        self._list(event.value)

    @work(thread=True, exclusive=True, group="picker", exit_on_error=False)
    def _list(self, search: str) -> None:
        self.post_message(self.Listed(search, self._repo.list_papers(search, limit=LISTED)))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        if message.search != self.query_one("#picker-search", Input).value:
            return
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        options.add_options(Option(listing_prompt(item), id=str(item.paper.id)) for item in message.listings)
        if message.listings:
            options.highlighted = 0
        found = len(message.listings)
        status = counted(found, "paper") + (" (the most cited)" if found == LISTED else "")
        if not found:
            status = "No paper in the store matches" if message.search.strip() else EMPTY_STORE
        self.query_one("#picker-status", Label).update(status)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            options.highlighted = max(0, min((options.highlighted or 0) + step, options.option_count - 1))

    def action_choose(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None:
            option_id = options.get_option_at_index(options.highlighted).id
            self.dismiss(int(option_id) if option_id else None)

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id) if event.option.id else None)

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
