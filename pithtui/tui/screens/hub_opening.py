"""What a hub screen shows first: its header and the explorer's first block, fetched together."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pithtui.models import CitingPaper, Facets, Filters, HubSummary, Page
from pithtui.settings import DEFAULTS, Settings
from pithtui.store import HubRepository
from pithtui.tui.widgets.explorer_fetch import ExplorerQuery


@dataclass(frozen=True, slots=True)
class HubHeader:
    """What the hub pane and the sidebar show, fetched together when the hub opens."""

    summary: HubSummary
    base: Facets
    representatives: list[CitingPaper]
    last_visit: dt.datetime | None
    """When the hub was opened before (so the sidebar is laid out with "new since your last
    visit" from the first frame, not again when the visit is noted)."""

    @classmethod
    def fetch(cls, repo: HubRepository, hub_id: int) -> HubHeader:
        """Ask the repository (from a worker: it queries the store)."""
        return cls(repo.hub(hub_id), repo.facets(hub_id), repo.representatives(hub_id), repo.last_visit(hub_id))


@dataclass(frozen=True, slots=True)
class Opening:
    """Everything a hub screen shows first: its header and the explorer's first block of rows
    (no filters, newest first), counted.

    The app fetches it in its start worker, before the screen is composed, so that the first
    layout of the screen holds it all. Composed empty and filled as each answer arrives, the
    hub screen would be laid out and drawn again for each before its first frame is complete,
    each time competing with the workers for the one interpreter lock."""

    header: HubHeader
    rows: Page

    @classmethod
    def fetch(cls, repo: HubRepository, hub_id: int, settings: Settings = DEFAULTS) -> Opening:
        """Ask the repository (from a worker: it queries the store), in the order the reader's
        ``settings`` open a hub in."""
        query = ExplorerQuery(hub_id, Filters(), settings.sort, settings.descending)
        return cls(HubHeader.fetch(repo, hub_id), query.first_block(repo))
