"""The footer: the keys that work here, in one line at the bottom (``/ Search f Filters …``).

One widget drawing one line, redrawn when the screen's bindings change. Textual's Footer is a
widget per key, all composed and styled again whenever the bindings may have changed (several
times while a screen opens, within a hub's first frame). This one looks the same (the compact
footer, the theme's footer colours) and a click on a key presses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


class KeysFooter(Widget):
    """The shown bindings of the focused widget, its screen and the app (one per action; a
    disabled one dimmed), each as its key and description."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description"}

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, Binding, bool]] = []
        """Where each key was drawn: (first cell, end cell, binding, enabled), for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def _shown(self) -> list[tuple[Binding, bool]]:
        """(binding, enabled) of each action shown, its first binding, in the screen's order."""
        shown: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled))
        return list(shown.values())

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        line = Text()
        self._spans = []
        for binding, enabled in self._shown():
            if line:
                line.append(" ")
            start = line.cell_len
            line.append(self.app.get_key_display(binding), key_style)
            line.append(f" {binding.description}", description_style)
            if not enabled:
                line.stylize("dim", start)
            self._spans.append((start, line.cell_len, binding, enabled))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, binding, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(binding.key)
                else:
                    self.app.bell()
                return
