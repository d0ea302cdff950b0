"""The explorer's columns: which are shown at a width, how wide each is, and a row or the header
as one line of them. No widget here: the explorer draws what these give it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from pithtui.hub_text import facet_label
from pithtui.models import CitingPaper, Mine, SortKey
from pithtui.text import shown

GAP = 1
"""Blank cells between columns."""

TITLE_MIN = 24
"""Narrower than this and the title column gives way: the lowest-priority column is hidden."""


STAR = "★"
NOTED = "✎"


def marks(mine: Mine) -> str:
    """The reader's marks in two cells: a star, then a note's pen or their verdict's first letter."""
    second = NOTED if mine.note else (mine.verdict or " ")[0]
    return (STAR if mine.starred else " ") + second


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, fixed width (0: the title, which takes the rest), the sort key a
    click on it sets, any other order whose arrow it carries (``also``), and its ``heading``
    when that is not its name."""

    label: str
    width: int
    value: Callable[[CitingPaper], str]
    sort: SortKey | None = None
    right: bool = False
    also: SortKey | None = None
    heading: str | None = None


COLUMNS = (
    Column("marks", 2, lambda r: marks(r.mine), heading=STAR + NOTED),
    Column("title", 0, lambda r: r.paper.display_title, SortKey.TITLE),
    Column("category", 8, lambda r: r.paper.category or "", SortKey.CATEGORY),
    Column("date", 10, lambda r: r.paper.date.isoformat() if r.paper.date else "", SortKey.DATE),
    Column("verdict", 11, lambda r: r.paper.verdict.lower(), SortKey.VERDICT),
    Column("novelty", 8, lambda r: "" if r.paper.novelty is None else f"{r.paper.novelty:.1f}", SortKey.NOVELTY, right=True),
    Column("roles", 16, lambda r: ", ".join(r.roles)),
    Column("polarity", 12, lambda r: facet_label(r.polarity), SortKey.POLARITY, also=SortKey.CONTRAST),
)
HIDE_ORDER = ("verdict", "category", "roles", "polarity")
"""The columns a narrow explorer hides first: how a paper cites the hub (roles, polarity) is
what the explorer is for, so those stay longest."""

Layout: TypeAlias = list[tuple[Column, int]]
"""The columns shown and the width of each."""


def layout(width: int) -> Layout:
    """The columns shown at ``width`` cells and the width of each (fixed, the title flexing)."""
    shown = list(COLUMNS)
    hidden = list(HIDE_ORDER)
    while True:
        fixed = sum(column.width + GAP for column in shown if column.width)
        if width - fixed >= TITLE_MIN or not hidden:
            title = max(width - fixed - GAP, 1)
            return [(column, column.width or title) for column in shown]
        name = hidden.pop(0)
        shown = [column for column in shown if column.label != name]


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` in exactly ``width`` cells: padded with spaces (on the left when ``right``), or
    cut to ``width - 1`` cells and an ellipsis (as Rich's ``overflow="ellipsis"`` cuts)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 0 else ""
    padding = " " * (width - length)
    return padding + text if right else text + padding


def row_text(row: CitingPaper, columns: Layout, width: int) -> str:
    """``row`` as one line of plain text exactly ``width`` cells wide (rows are drawn in one
    style, so one string is all a line needs)."""
    gap = " " * GAP
    return fit("".join(fit(shown(column.value(row)), cell_width, column.right) + gap for column, cell_width in columns), width)


def header_text(columns: Layout, sort: SortKey | None, descending: bool, sorted_style: Style) -> Text:
    """The header line: each column's label, the one of the ``sort`` order (None: no order yet)
    with its arrow in ``sorted_style``."""
    line = Text(no_wrap=True)
    for column, cell_width in columns:
        if sort is not None and sort in (column.sort, column.also):
            cell = Text(column.label + ("▼" if descending else "▲"), style=sorted_style)
        else:
            cell = Text(column.label if column.heading is None else column.heading)
        cell.truncate(cell_width, overflow="ellipsis")
        padding = " " * (cell_width - cell.cell_len)
        if column.right:
            line.append(padding)
            line.append_text(cell)
        else:
            line.append_text(cell)
            line.append(padding)
        line.append(" " * GAP)
    return line


def sort_at(x: int, width: int) -> SortKey | None:
    """The sort key a click on cell ``x`` of the header sets (None: a column without one)."""
    left = 0
    for column, cell_width in layout(width):
        if left <= x < left + cell_width + GAP:
            return column.sort
        left += cell_width + GAP
    return None
