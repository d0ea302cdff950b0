"""What the widgets drawn on Textual's line API share: one line of Rich ``Text`` as a Strip, and
their base style worked out once a frame."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineScrollView(ScrollView):
    """A ScrollView drawn a line at a time whose lines read their base style from
    :attr:`line_style`, worked out once per frame. Textual's ``rich_style`` walks the styles of
    every ancestor each time it is read, too costly to do once a line."""

    _frame_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    @property
    def line_style(self) -> Style:
        """The widget's base style (as ``rich_style``), the frame's while one is drawn."""
        return self._frame_style if self._frame_style is not None else self.rich_style


def text_strip(line: Text, width: int, style: Style, console: Console) -> Strip:
    """``line`` in exactly ``width`` cells over ``style`` (cut with an ellipsis, else padded)."""
    line.truncate(width, overflow="ellipsis")
    segments = [Segment(seg.text, style + seg.style if seg.style else style) for seg in line.render(console)]
    return Strip(segments).crop_extend(0, width, style)
