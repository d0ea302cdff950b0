"""Untrusted text as Rich ``Text``: the one way the TUI shows strings from the data.

Titles, abstracts and summaries come from outside. Building ``Text`` (never markup strings)
keeps ``[bold red]`` literal, and :func:`pithtui.text.printable` drops control characters and
bidi overrides so nothing from the data reaches the terminal as a control code.
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text

from pithtui.text import clipped, printable


def literal(value: object, style: StyleType = "", *, keep_newlines: bool = False) -> Text:
    """``value`` as literal, printable text, clipped to ``SHOWN_CHARS`` (None becomes empty)."""
    raw = "" if value is None else clipped(str(value))
    return Text(printable(raw, keep_newlines=keep_newlines), style=style)
