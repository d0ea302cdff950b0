"""Dates as people type them in a filter: a year, a month or a day.

One reading for the CLI's ``--since/--until`` and the sidebar's year range, so ``2024`` means
the same span in both.
"""

from __future__ import annotations

import datetime as dt


def parse_bound(text: str, *, end: bool = False) -> dt.date | None:
    """``2024``, ``2024-05`` or ``2024-05-19`` as the first (or, with ``end``, last) day it
    covers; None for empty text; ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    parts = text.split("-")
    if len(parts) == 1 and len(text) == 4 and text.isdigit():
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    if len(parts) == 2 and len(parts[0]) == 4:
        first = dt.date(int(parts[0]), int(parts[1]), 1)
        return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1) if end else first
    if len(parts) == 3:
        return dt.date.fromisoformat(text)
    raise ValueError(f"not a year or date: {text!r}")
