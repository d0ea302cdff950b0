"""Option lists that move with vim keys too (``j``/``k``, ``g``/``G``) as well as the arrows."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList, SelectionList

VIM_BINDINGS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "first", "Top", show=False),
    Binding("G", "last", "End", show=False),
]


class VimOptionList(OptionList):
    """An OptionList with vim movement keys."""

    BINDINGS = VIM_BINDINGS


class VimSelectionList(SelectionList):
    """A SelectionList with vim movement keys."""

    BINDINGS = VIM_BINDINGS
