"""Small wording rules the TUI's screens share: counts with their nouns, a paper's reference."""

from __future__ import annotations

import datetime as dt

from pithtui.models import Paper

SORT_WORDS = {True: "descending", False: "ascending"}
"""How a sort's direction is said (by ``descending``)."""


def reference(paper: Paper) -> str | None:
    """How a user would name the paper besides its title (``arXiv 2305.17493``), if anyhow."""
    if paper.arxiv_id:
        return f"arXiv {paper.arxiv_id}"
    return paper.best_ref if paper.best_ref != paper.title else None


def local_time(stored: dt.datetime) -> str:
    """A time the store keeps (UTC, without a zone) as the user's clock shows it, to the minute."""
    return stored.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
