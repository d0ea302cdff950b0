"""Lists and scrolling panes that move with vim keys too (``j``/``k``, ``g``/``G``)."""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import OptionList

VIM_LIST_BINDINGS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "first", "Top", show=False),
    Binding("G", "last", "End", show=False),
]


class VimOptionList(OptionList):
    """An OptionList with vim movement keys."""

    BINDINGS = VIM_LIST_BINDINGS


class VimScroll(VerticalScroll):
    """A scrolling pane with vim movement keys."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "End", show=False),
    ]
