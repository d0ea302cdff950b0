"""The pithtui Textual app: opens a hub (or the picker) and routes between screens.

The repository is opened by :func:`pithtui.tui.run` and handed in, so tests and the
screenshot script can give it any store.
"""

from __future__ import annotations

import gc
import threading

from textual import on, work
from textual.app import App, ComposeResult, InvalidThemeError
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from pithtui.errors import UnknownPaper
from pithtui.models import Paper
from pithtui.settings import Settings, config_path, load_settings, save_settings
from pithtui.sources.sample import SAMPLE_REF
from pithtui.store import HubRepository
from pithtui.text import printable
from pithtui.tui.keys import BindingIds
from pithtui.tui.screens.hub import HubScreen
from pithtui.tui.screens.hub_opening import Opening
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
        self,
        repo: HubRepository,
        *,
        ref: str | None = None,
        ansi: bool = False,
        freeze_first_frame: bool = False,
        settings: Settings | None = None,
    ) -> None:
        """``settings``: the reader's (else read from the settings file, each problem with it
        told in a notification once the app runs)."""
        super().__init__(ansi_color=True if ansi else None)
        self._setting_warnings: list[str] = []
        if settings is None:
            settings = load_settings(warn=self._setting_warnings.append, binding_ids=BindingIds())
        self.settings = settings
        """The reader's settings as they are now (changed in the app: the theme, the sidebar)."""
        self._theme_kept: str | None = None
        """The theme the settings file says (or the app started with): a change from it is saved."""
        self._saving = threading.Lock()
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
        theme = ANSI_THEME if self._ansi else (self.settings.theme or DEFAULT_THEME)
        try:
            self.theme = theme
        except InvalidThemeError:
            self._setting_warnings.append(
                f"{printable(str(config_path()))}: theme: no theme is called {theme!r}; using {DEFAULT_THEME}"
            )
            self.theme = DEFAULT_THEME
        self._theme_kept = self.theme
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))
        for line in self._setting_warnings:
            self.notify(line, title="Settings", severity="warning", markup=False, timeout=10)
        self._resolve_start(self._ref)

    # ------------------------------------------------------------------ settings the user changes here

    def watch_theme(self, theme: str) -> None:
        """A theme chosen in the app (the command palette's themes) is remembered."""
        if self._theme_kept is not None and theme != self._theme_kept:
            self._theme_kept = theme
            self._remember(self.settings.with_changes(theme=theme))

    @on(HubScreen.SidebarToggled)
    def _sidebar_toggled(self, message: HubScreen.SidebarToggled) -> None:
        if message.shown != self.settings.show_sidebar:
            self._remember(self.settings.with_changes(show_sidebar=message.shown))

    def _remember(self, settings: Settings) -> None:
        self.settings = settings
        self._save_settings()

    @work(thread=True, group="settings", exit_on_error=False)
    def _save_settings(self) -> None:
        """Write the settings as they are now (one write at a time: the last one is the newest)."""
        with self._saving:
            try:
                save_settings(self.settings)
            except OSError as error:
                self.notify(
                    f"Settings not saved to {printable(str(config_path()))}: {error.strerror or error}",
                    title="Settings", severity="error", markup=False, timeout=8,
                )  # fmt: skip

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
            self.post_message(self.StartResolved(hub.id, "", Opening.fetch(self.repo, hub.id, self.settings)))

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
        self.push_screen(HubScreen(self.repo, hub_id, opening, settings=self.settings))

    def action_open_picker(self, search: str = "") -> None:
        def chosen(hub_id: int | None) -> None:
            if hub_id is not None:
                self.open_hub(hub_id)

        from pithtui.tui.screens.picker import PickerScreen

        self.push_screen(PickerScreen(self.repo, search), chosen)

    def action_help(self) -> None:
        from pithtui.tui.screens.help import HelpScreen, key_rows

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_rows(self.screen, self.settings.keys)))
