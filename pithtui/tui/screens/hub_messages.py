"""The messages the hub screen's workers post back to it, each with what it fetched."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.message import Message

from pithtui.models import Facets, Filters, HubSummary, Mine, SavedView

if TYPE_CHECKING:
    from pithtui.tui.screens.hub_opening import HubHeader


class HeaderLoaded(Message):
    def __init__(self, hub_id: int, header: HubHeader) -> None:
        super().__init__()
        self.hub_id, self.header = hub_id, header


class WithoutContextCounted(Message):
    def __init__(self, hub_id: int, summary: HubSummary) -> None:
        super().__init__()
        self.hub_id, self.summary = hub_id, summary


class FacetsCounted(Message):
    def __init__(self, filters: Filters, facets: Facets) -> None:
        super().__init__()
        self.filters, self.facets = filters, facets


class NewCounted(Message):
    def __init__(self, hub_id: int, since: dt.datetime, count: int, *, tell: bool) -> None:
        super().__init__()
        self.hub_id, self.since, self.count, self.tell = hub_id, since, count, tell


class Marked(Message):
    """The reader's marks of paper ``paper_id`` are ``mine`` now."""

    def __init__(self, paper_id: int, mine: Mine) -> None:
        super().__init__()
        self.paper_id, self.mine = paper_id, mine


class ViewsRead(Message):
    def __init__(self, hub_id: int, views: list[SavedView]) -> None:
        super().__init__()
        self.hub_id, self.views = hub_id, views
