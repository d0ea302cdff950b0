"""Saved views: naming the current filters, search and sort (``v``), and listing them (``V``).

The dialogs only choose; the hub screen reads and writes the views from workers and applies
the one chosen. The command palette lists them too (:class:`SavedViewsProvider`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pithtui.models import SavedView
from pithtui.text import printable
from pithtui.tui.commands import ListedProvider
from pithtui.tui.labels import SORT_WORDS
from pithtui.tui.safe import literal
from pithtui.tui.widgets.vim import VimOptionList

MAX_NAME_CHARS = 80
"""The longest name of a view: a name, shown in one line of a list."""

WHERE = {False: "this hub", True: "every hub"}


def where(view: SavedView) -> str:
    return WHERE[view.hub_id is None]


@dataclass(frozen=True, slots=True)
class ViewName:
    """What the save dialog chose: the view's name, and whether it is for every hub."""

    name: str
    every_hub: bool


def view_name(text: str) -> str | None:
    """``text`` as a view's name (trimmed, printable, at most MAX_NAME_CHARS); None when empty."""
    name = printable(text).strip()[:MAX_NAME_CHARS].strip()
    return name or None


class SaveViewScreen(ModalScreen[ViewName | None]):
    """Name the current filters, search and sort; choose this hub or every hub."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="save_view.cancel"),
    ]

    def __init__(self, summary: str) -> None:
        """``summary``: what is saved, in words (the filters and the order)."""
        super().__init__()
        self._summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="save-view"):
            yield Label("Save the filters, search and sort as a view", id="save-view-title")
            yield Label(literal(self._summary, "dim"), id="save-view-summary")
            yield Input(placeholder="name of the view", id="save-view-name", max_length=MAX_NAME_CHARS)
            yield VimOptionList(*(Option(f"for {text}", id=text) for text in WHERE.values()), id="save-view-where")
            yield Label("enter saves · tab: the name or where it applies · esc cancels", id="save-view-hint")

    def on_mount(self) -> None:
        self.query_one("#save-view-where", OptionList).highlighted = 0
        self.query_one("#save-view-name", Input).focus()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _save(self) -> None:
        name = view_name(self.query_one("#save-view-name", Input).value)
        if name is None:
            self.notify("Name the view", severity="warning", timeout=4)
            self.query_one("#save-view-name", Input).focus()
            return
        every_hub = self.query_one("#save-view-where", OptionList).highlighted == 1
        self.dismiss(ViewName(name, every_hub))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewsScreen(ModalScreen[SavedView | None]):
    """The saved views of this hub, then those for every hub: enter applies one, ``d`` or
    delete forgets it (through ``delete``, which the hub screen runs in a worker)."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="views.close"),
        Binding("d,delete", "delete", "Delete the view", id="views.delete"),
    ]

    def __init__(self, views: list[SavedView], delete: Callable[[SavedView], object]) -> None:
        super().__init__()
        self._views = list(views)
        self._delete = delete

    def compose(self) -> ComposeResult:
        with Vertical(id="views"):
            yield Label("Saved views", id="views-title")
            yield VimOptionList(id="views-list")
            yield Label("enter applies · d deletes · esc closes", id="views-hint")

    def on_mount(self) -> None:
        self._list()
        self.query_one("#views-list", OptionList).focus()

    def _list(self, highlighted: int = 0) -> None:
        options = self.query_one("#views-list", OptionList)
        options.clear_options()
        if not self._views:
            options.add_option(Option(Text("No saved views yet: v saves the current filters", style="dim"), disabled=True))
            return
        for index, view in enumerate(self._views):
            prompt = literal(view.name)
            prompt.append(f"  · {where(view)}", style="dim")
            options.add_option(Option(prompt, id=str(index)))
        options.highlighted = min(highlighted, len(self._views) - 1)

    def _current(self) -> SavedView | None:
        options = self.query_one("#views-list", OptionList)
        if options.highlighted is None or not self._views:
            return None
        return self._views[options.highlighted]

    @on(OptionList.OptionSelected)
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        if message.option.id is not None:
            self.dismiss(self._views[int(message.option.id)])

    def action_delete(self) -> None:
        view = self._current()
        if view is None:
            return
        index = self._views.index(view)
        self._views.remove(view)
        self._delete(view)
        self._list(index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewsHolder(Protocol):
    """A screen with saved views to offer (the hub screen)."""

    saved_views: list[SavedView]

    def apply_view(self, view: SavedView) -> None: ...


class SavedViewsProvider(ListedProvider):
    """The command palette's "View: <name>": applies a saved view of the hub shown."""

    def _views(self) -> list[tuple[str, str, SavedView]]:
        views: list[SavedView] = getattr(self.screen, "saved_views", [])
        return [(f"View: {printable(view.name)}", f"saved view for {where(view)}", view) for view in views]

    async def _apply(self, view: SavedView) -> None:
        holder: ViewsHolder = self.screen  # type: ignore[assignment]
        holder.apply_view(view)

    def listed(self) -> Iterable[tuple[str, str, Callable[[], Awaitable[None]]]]:
        return [(title, help_text, partial(self._apply, view)) for title, help_text, view in self._views()]


def ask_view_name(screen: Screen[Any], view: SavedView, save: Callable[[SavedView], object]) -> None:
    """Ask a name for ``view`` (the filters, search and sort shown), and whether it is for every
    hub, then ``save`` it."""

    def named(name: ViewName | None) -> None:
        if name is not None:
            save(replace(view, name=name.name, hub_id=None if name.every_hub else view.hub_id))

    shown = "no filters" if not view.filters.active else "the filters and search shown"
    screen.app.push_screen(SaveViewScreen(f"{shown} · sorted by {view.sort.value}, {SORT_WORDS[view.descending]}"), named)
