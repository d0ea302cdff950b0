"""One line of Rich ``Text`` as a Strip, for the widgets drawn on Textual's line API."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def text_strip(line: Text, width: int, style: Style, console: Console) -> Strip:
    """``line`` in exactly ``width`` cells over ``style`` (cut with an ellipsis, else padded)."""
    line.truncate(width, overflow="ellipsis")
    segments = [Segment(seg.text, style + seg.style if seg.style else style) for seg in line.render(console)]
    return Strip(segments).crop_extend(0, width, style)
