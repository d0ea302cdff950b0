"""The pithtui Textual app: opens a hub (or the picker) and routes between screens.

The repository is opened by :func:`pithtui.tui.run` and handed in, so tests and the
screenshot script can give it any store.
"""

from __future__ import annotations

import gc

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from pithtui.errors import UnknownPaper
from pithtui.models import Paper
from pithtui.sources.sample import SAMPLE_REF
from pithtui.store import HubRepository
from pithtui.tui.screens.hub import HubScreen, Opening
from pithtui.tui.widgets.footer import KeysFooter
from pithtui.tui.workers import ReportsWorkerErrors

ANSI_THEME = "ansi-dark"
"""The theme made of the terminal's own 16 colours (Textual's ANSI theme)."""

DEFAULT_THEME = "textual-dark"


def _actions_provider() -> type:
    """The command palette's provider of pithtui's actions (imported when the palette opens:
    the screens a start does not show are not imported before the first frame either)."""
    from pithtui.tui.commands import ActionsProvider

    return ActionsProvider


class PithApp(ReportsWorkerErrors, App[None]):
    """Who cites this paper, and how: the citation hub in the terminal."""

    TITLE = "pithtui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_actions_provider}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("o,ctrl+o", "open_picker", "Papers", id="app.open"),
    ]

    class StartResolved(Message):
        """The hub to open first was found (``hub_id``, with what it shows first), or not
        (``search`` for the picker)."""

        def __init__(self, hub_id: int | None, search: str, opening: Opening | None = None) -> None:
            super().__init__()
            self.hub_id, self.search, self.opening = hub_id, search, opening

    def __init__(
        self, repo: HubRepository, *, ref: str | None = None, ansi: bool = False, freeze_first_frame: bool = False
    ) -> None:
        super().__init__(ansi_color=True if ansi else None)
        self.repo = repo
        self._ref = ref
        self._ansi = ansi
        self._freeze_first_frame = freeze_first_frame
        """Whether what the first screen is made of is left out of garbage collection once it
        is drawn (see :meth:`_start_resolved`); the ``pithtui`` command's app, not a test's."""

    def compose(self) -> ComposeResult:
        # The footer comes only when no hub opens (see _start_resolved): composing and styling
        # one under the hub screen that covers this one would delay the first frame for nothing.
        yield Static(id="no-hub")

    def on_mount(self) -> None:
        self.theme = ANSI_THEME if self._ansi else DEFAULT_THEME
        self._resolve_start(self._ref)

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def _resolve_start(self, ref: str | None) -> None:
        """The hub ``ref`` names; with no ref the last hub opened, else the sample hub. Its
        :class:`Opening` is fetched here too, so that the hub screen composes with it."""
        if ref:
            try:
                hub: Paper | None = self.repo.resolve(ref)
            except UnknownPaper:
                self.post_message(self.StartResolved(None, ref))
                return
        else:
            hub = self.repo.last_hub()
            if hub is None:
                try:
                    hub = self.repo.resolve(SAMPLE_REF)
                except UnknownPaper:
                    hub = None
        if hub is None:
            self.post_message(self.StartResolved(None, ""))
        else:
            assert hub.id is not None  # a stored paper
            self.post_message(self.StartResolved(hub.id, "", Opening.fetch(self.repo, hub.id)))

    @on(StartResolved)
    def _start_resolved(self, message: StartResolved) -> None:
        if message.hub_id is None:
            self.query_one("#no-hub", Static).update("No hub open. Press o to find a paper in the store.")
            self.screen.mount(KeysFooter())
            self.action_open_picker(message.search)
        else:
            self.open_hub(message.hub_id, message.opening)
        if self._freeze_first_frame:
            # The first screen's widgets, their styles and the compiled CSS live as long as the
            # app: once drawn, the garbage collector leaves them out for good. Otherwise every
            # full collection walks them again, in the middle of a page down or a jump now and
            # then (what start made is left out already: see ``pithtui.tui.run``).
            self.call_after_refresh(gc.freeze)

    def open_hub(self, hub_id: int, opening: Opening | None = None) -> None:
        """Push the hub of paper ``hub_id``; going back returns to what was showing."""
        self.push_screen(HubScreen(self.repo, hub_id, opening))

    def action_open_picker(self, search: str = "") -> None:
        def chosen(hub_id: int | None) -> None:
            if hub_id is not None:
                self.open_hub(hub_id)

        from pithtui.tui.screens.picker import PickerScreen

        self.push_screen(PickerScreen(self.repo, search), chosen)

    def action_help(self) -> None:
        from pithtui.tui.screens.help import HelpScreen, key_rows

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_rows(self.screen)))
