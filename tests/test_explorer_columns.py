"""The explorer's columns (pithtui.tui.widgets.explorer_columns), without a widget."""

from __future__ import annotations

from rich.style import Style

from pithtui.models import Mine, SortKey
from pithtui.tui.widgets.explorer_columns import COLUMNS, GAP, TITLE_MIN, fit, header_text, layout, marks, sort_at

FIXED = sum(column.width + GAP for column in COLUMNS if column.width)


def labels(width: int) -> list[str]:
    return [column.label for column, _ in layout(width)]


def test_the_title_takes_what_the_fixed_columns_leave_and_narrow_explorers_hide_verdict_first() -> None:
    wide = FIXED + TITLE_MIN + 10
    assert labels(wide) == [column.label for column in COLUMNS]
    assert dict((column.label, width) for column, width in layout(wide))["title"] == wide - FIXED - GAP
    assert "verdict" not in labels(FIXED + TITLE_MIN - 1)
    assert labels(10) == ["marks", "title", "date", "novelty"]  # the reader's marks are never hidden


def test_fit_pads_or_cuts_to_exactly_the_width() -> None:
    assert fit("abc", 5) == "abc  " and fit("abc", 5, right=True) == "  abc"
    assert fit("abcdef", 4) == "abc…" and fit("abc", 0) == ""


def test_a_click_on_the_header_sorts_by_the_column_under_it_and_its_gap() -> None:
    width = FIXED + TITLE_MIN + 10
    columns = layout(width)
    starts = [sum(w + GAP for _, w in columns[:i]) for i in range(len(columns))]
    for (column, cell_width), start in zip(columns, starts):
        assert sort_at(start, width) is column.sort
        assert sort_at(start + cell_width, width) is column.sort  # the gap after it
    assert sort_at(starts[labels(width).index("roles")], width) is None
    assert sort_at(width + 5, width) is None


def test_the_header_carries_the_arrow_of_the_order_on_its_column() -> None:
    columns = layout(FIXED + TITLE_MIN + 10)
    assert "polarity▼" in header_text(columns, SortKey.CONTRAST, True, Style(bold=True)).plain
    assert "date▲" in header_text(columns, SortKey.DATE, False, Style()).plain
    assert "▼" not in header_text(columns, None, True, Style()).plain


def test_the_marks_column_shows_a_star_then_a_note_or_the_verdicts_first_letter() -> None:
    assert marks(Mine()) == "  " and marks(Mine(read=True)) == "  "
    assert marks(Mine(starred=True)) == "★ "
    assert marks(Mine(verdict="useful")) == " u"
    assert marks(Mine(starred=True, note="why", verdict="useful")) == "★✎"  # the note wins the cell
    assert header_text(layout(80), None, True, Style()).plain.startswith("★✎ title")
