"""Plain domain types: what every floor of pithtui speaks.

Frozen dataclasses only. Nothing here imports SQLAlchemy, Textual or any part of the project
beyond the domain (the classifier's labels), so the store, the sources, the exporters and the
faces can all share them without pulling each other in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

from pithtui.classifier import ContextLabel

UNVERDICTED = "UNVERDICTED"
"""The verdict of a paper nobody has judged yet."""

MODEL_LABELLER = "pithtui:"
"""Prefix of a classifier model's id, naming it as the one who labelled a citation."""


class SortKey(str, Enum):
    """The columns the citing-papers explorer can be sorted by (the one list of them)."""

    DATE = "date"
    NOVELTY = "novelty"
    TITLE = "title"
    CATEGORY = "category"
    VERDICT = "verdict"
    POLARITY = "polarity"
    CONTRAST = "contrast"
    """Most contrasting first (descending): a source's "contrasting", then the classifier's
    probability of it."""

    @classmethod
    def parse(cls, text: str) -> SortKey:
        """The sort key named ``text``; ValueError naming the choices otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(key.value for key in cls)
            raise ValueError(f"unknown sort key {text!r} (choose from {choices})") from None


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper: the hub itself or one that cites it. Any paper can be opened as a hub.

    ``id`` is the store's key and is ``None`` for a record that has not been stored yet (what
    the sources produce). The identifiers are what records from different sources merge on.
    """

    title: str
    id: int | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    category: str | None = None
    categories: tuple[str, ...] = ()
    venue: str | None = None
    url: str | None = None
    abstract: str | None = None
    summary: str | None = None
    verdict: str = UNVERDICTED
    novelty: float | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    openalex_id: str | None = None
    cited_by_reported: int | None = None

    @property
    def identifiers(self) -> dict[str, Any]:
        """The identifiers this record carries, by store column name."""
        pairs = {
            "arxiv_id": self.arxiv_id,
            "doi": self.doi,
            "s2_id": self.s2_id,
            "corpus_id": self.corpus_id,
            "openalex_id": self.openalex_id,
        }
        return {name: value for name, value in pairs.items() if value is not None}

    @property
    def display_title(self) -> str:
        """The title, or for a paper known only by an identifier so far, that identifier."""
        if self.title.strip():
            return self.title
        return f"(untitled {self.best_ref})" if self.identifiers else "(untitled)"

    @property
    def best_ref(self) -> str:
        """The reference a user would type to open this paper again."""
        if self.arxiv_id:
            return self.arxiv_id
        if self.doi:
            return self.doi
        if self.corpus_id is not None:
            return f"CorpusId:{self.corpus_id}"
        if self.s2_id:
            return self.s2_id
        if self.openalex_id:
            return self.openalex_id
        return self.title


PAPER_FIELDS = tuple(f.name for f in fields(Paper))
"""A paper's attributes, in order."""


@dataclass(frozen=True, slots=True)
class PaperListing:
    """A paper in the store's list (the picker, ``pithtui papers``) with its stored citing count."""

    paper: Paper
    citing_count: int


@dataclass(frozen=True, slots=True)
class Citation:
    """One citing paper pointing at one cited paper, and how it cites it.

    ``polarity`` is ``None`` while the citation is not yet classified (the "still indexing"
    state). ``roles`` is an open vocabulary; a citation may carry several.
    """

    citing: Paper
    cited: Paper
    roles: tuple[str, ...] = ()
    polarity: str | None = None
    influential: bool = False
    contexts: tuple[str, ...] = ()
    representative: bool = False
    source: str | None = None


MINE_FLAGS = ("starred", "unread", "read", "noted")
"""The reader's own marks a filter can ask for (``Filters.mine``), each "yes" for a paper."""


@dataclass(frozen=True, slots=True)
class Mine:
    """What the reader keeps about a paper: their own layer, stored apart from what any source
    says and never changed by one. ``changed_at`` is the last change to any of it (None: never
    marked)."""

    starred: bool = False
    read: bool = False
    note: str = ""
    verdict: str | None = None
    changed_at: dt.datetime | None = None

    @property
    def marked(self) -> bool:
        return self.starred or self.read or bool(self.note) or self.verdict is not None


MAX_NOTE_BYTES = 1 << 20
"""The longest note pithtui keeps (1 MiB of UTF-8): a note, not a paper."""


def note_too_long(text: str) -> bool:
    """Whether ``text`` is longer than a note may be (MAX_NOTE_BYTES)."""
    return len(text.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES


@dataclass(frozen=True, slots=True)
class MineChange:
    """A change to the reader's layer of one paper: None leaves a field as it is; an empty
    ``note`` or ``verdict`` clears it."""

    starred: bool | None = None
    read: bool | None = None
    note: str | None = None
    verdict: str | None = None

    @property
    def empty(self) -> bool:
        return self == MineChange()


@dataclass(frozen=True, slots=True)
class CitingPaper:
    """A row of the explorer: a stored citing paper with how it cites the hub.

    ``roles`` (most likely first where the classifier gave them) and ``polarity`` are the
    effective labels: the source's where it gave one, else pithtui's classifier's. ``roles_by``
    and ``polarity_by`` say who gave them (``semantic_scholar``, ``pith``, …, or
    ``pithtui:<model id>``; None when nobody did), ``polarity_score`` is the classifier's
    probability (None for a source's label), and ``context_labels`` its label of each context,
    in the order of ``contexts`` (None for a context it could not label; empty when no model
    has labelled them), by the model ``model_id``.
    """

    paper: Paper
    roles: tuple[str, ...] = ()
    polarity: str | None = None
    influential: bool = False
    representative: bool = False
    contexts: tuple[str, ...] = ()
    source: str | None = None
    first_seen: dt.datetime | None = None
    roles_by: str | None = None
    polarity_by: str | None = None
    polarity_score: float | None = None
    context_labels: tuple[ContextLabel | None, ...] = ()
    model_id: str | None = None
    mine: Mine = Mine()
    """The reader's own marks of the citing paper."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What the user narrowed the citing papers to. Empty sets mean "any".

    In ``polarities`` the value ``None`` stands for "not yet classified".
    """

    roles: frozenset[str] = frozenset()
    polarities: frozenset[str | None] = frozenset()
    verdicts: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    since: dt.date | None = None
    until: dt.date | None = None
    min_novelty: float | None = None
    search: str = ""
    new_since: dt.datetime | None = None
    mine: frozenset[str] = frozenset()
    """The reader's marks every paper shown has (MINE_FLAGS: starred, unread, read, noted)."""
    my_verdicts: frozenset[str] = frozenset()
    """The reader's own verdicts, any of which a paper shown has."""

    @property
    def of_mine(self) -> bool:
        """True when a filter on the reader's own layer is active."""
        return bool(self.mine or self.my_verdicts)

    @property
    def active(self) -> bool:
        """True when any filter narrows the citing papers."""
        return self != Filters()


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet and how many citing papers carry it under the other filters."""

    value: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """The sidebar's counts. Each facet applies every active filter but its own."""

    role: tuple[FacetValue, ...] = ()
    polarity: tuple[FacetValue, ...] = ()
    verdict: tuple[FacetValue, ...] = ()
    category: tuple[FacetValue, ...] = ()
    year: tuple[FacetValue, ...] = ()
    mine: tuple[FacetValue, ...] = ()
    """The reader's marks (starred, unread, noted) and how many papers have each."""
    my_verdict: tuple[FacetValue, ...] = ()
    """The reader's own verdicts and how many papers have each."""

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Facet name → {value: count}; the unclassified polarity is left to its own field."""
        return {
            name: {v.value: v.count for v in getattr(self, name) if v.value is not None}
            for name in ("role", "polarity", "verdict", "category", "year")
        }


@dataclass(frozen=True, slots=True)
class HubSummary:
    """The header of a hub page."""

    paper: Paper
    citing_count: int
    """How many citing papers the store holds."""
    polarity_unclassified: int
    """How many of them are not yet classified by polarity."""
    without_context: int | None = None
    """How many of those have no citing sentence to classify (None: not counted)."""

    @property
    def cited_by_reported(self) -> int | None:
        """How many papers the source says cite this one."""
        return self.paper.cited_by_reported

    @property
    def cited_by(self) -> int:
        """The headline count: what the source reports, or what the store holds if more."""
        return max(self.citing_count, self.paper.cited_by_reported or 0)

    @property
    def still_indexing(self) -> bool:
        """True while some citations wait for polarity classification."""
        return self.polarity_unclassified > 0


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts or ends in a sort order: the sort value and the paper id."""

    value: str | float
    paper_id: int


@dataclass(frozen=True, slots=True)
class Page:
    """A window of citing papers and how many match the filters in all ("Showing N of M")."""

    rows: tuple[CitingPaper, ...]
    total: int
    first: Cursor | None = None
    last: Cursor | None = None
    has_before: bool = False
    has_after: bool = False


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an upsert did, for the CLI to report."""

    papers_added: int = 0
    papers_updated: int = 0
    citations_added: int = 0
    citations_updated: int = 0
    skipped: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.papers_added or self.papers_updated or self.citations_added or self.citations_updated)


@dataclass(frozen=True, slots=True)
class SavedView:
    """Filters, search and sort the reader named, for one hub (``hub_id``) or every hub (None)."""

    name: str
    filters: Filters
    sort: SortKey = SortKey.DATE
    descending: bool = True
    hub_id: int | None = None
