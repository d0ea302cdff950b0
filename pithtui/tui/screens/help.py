"""The help screen (``?``): every key of the screen it was opened from, and what it does.

Built from the bindings themselves, so it cannot drift from what the keys really do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from pithtui.tui.widgets.vim import VimScroll

GENERAL = (
    ("tab / shift+tab", "Move between the sidebar, hub pane and explorer"),
    ("ctrl+p", "Command palette: every action, and the themes"),
)


def key_rows(screen: Screen[object], keymap: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(keys, description) for pithtui's own bindings on ``screen``, its widgets and the app,
    with the keys ``keymap`` gives a binding id instead of its own (the settings' overrides).

    Textual's generic bindings (an Input's cursor keys and the like) are left out: they are
    the same in every app and would drown the ones that are pithtui's.
    """
    nodes: list[DOMNode] = [screen, *screen.query("*"), screen.app]
    keys: dict[str, dict[str, None]] = {}
    for node in nodes:
        for cls in type(node).__mro__:
            if not cls.__module__.startswith("pithtui."):
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.description:
                    shown = keys.setdefault(binding.description, {})
                    bound = (keymap or {}).get(binding.id or "", binding.key)
                    for key in bound.split(","):
                        shown[node.app.get_key_display(replace(binding, key=key))] = None
    return [(", ".join(sorted(shown, key=_letters_last)), description) for description, shown in keys.items()]


def _letters_last(key: str) -> bool:
    """Named keys (``↓``, ``home``) before their vim aliases (``j``, ``g``)."""
    return len(key) == 1 and key.isalpha()


class HelpScreen(ModalScreen[None]):
    """The keys, in a table; any of escape, ``?`` or ``q`` closes it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
        table.add_column(style="bold")
        table.add_column()
        for keys, description in [*self._rows, *GENERAL]:
            table.add_row(Text(keys), Text(description))
        with VimScroll(id="help"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            yield Static(table, id="help-table")
            yield Static(Text("escape, ? or q closes this", style="dim"))
