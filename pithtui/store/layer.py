"""The reader's layer as JSON and back: ``pithtui mine export`` and ``pithtui mine import``.

A layer names each paper by its identifiers and title, not by a store's ids, so that it can
move between stores: importing finds each paper by any identifier it has (else its title) and
adds, bare, those the store does not hold. Importing merges: field by field of each mark, and
view by view, the newer change wins, so nothing either side knows is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from pithtui.filter_codec import filters_from_json
from pithtui.models import Paper, SavedView, SortKey
from pithtui.store.mine import merge_marks, owner
from pithtui.store.rows import PAPER_COLUMNS, paper_from
from pithtui.store.schema import MARK_FIELDS, marks, papers, saved_views
from pithtui.store.views import EVERY_HUB, save
from pithtui.text import title_key

FORMAT = "pithtui-mine"
VERSION = 1
IDENTITY = ("title", "arxiv_id", "doi", "s2_id", "corpus_id", "openalex_id")
"""What names a paper in a layer."""


def _identity(paper: Paper) -> dict[str, Any]:
    return {name: getattr(paper, name) for name in IDENTITY if getattr(paper, name) not in (None, "")}


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def export_layer(conn: Connection) -> dict[str, Any]:
    """The owner's layer of this store, as JSON values."""
    me = owner(conn.dialect.name)
    m, v = marks.c, saved_views.c
    rows = conn.execute(
        select(*PAPER_COLUMNS, m.starred, m.read, m.note, m.verdict, *(m[f"{f}_at"] for f in MARK_FIELDS), m.changed_at)
        .select_from(marks.join(papers, papers.c.id == m.paper_id))
        .where(m.owner == me)
        .order_by(m.paper_id)
    ).all()
    exported_marks = []
    for row in rows:
        mark: dict[str, Any] = {"paper": _identity(paper_from(row))}
        for field in MARK_FIELDS:
            mark[field] = getattr(row, field)
            mark[f"{field}_at"] = _when(getattr(row, f"{field}_at"))
        mark["changed_at"] = _when(row.changed_at)
        exported_marks.append(mark)
    hubs = {
        row.id: paper_from(row)
        for row in conn.execute(
            select(*PAPER_COLUMNS).where(papers.c.id.in_(select(v.hub_key).where(v.owner == me, v.hub_key != EVERY_HUB)))
        )
    }
    exported_views = [
        {
            "name": row.name,
            "hub": _identity(hubs[row.hub_key]) if row.hub_key in hubs else None,
            "filters": row.filters,
            "sort": row.sort,
            "descending": bool(row.descending),
            "changed_at": _when(row.changed_at),
        }
        for row in conn.execute(select(v.name, v.hub_key, v.filters, v.sort, v.descending, v.changed_at).where(v.owner == me))
        if row.hub_key == EVERY_HUB or row.hub_key in hubs
    ]
    owner_name = conn.execute(select(me)).scalar_one()
    return {"format": FORMAT, "version": VERSION, "owner": owner_name, "marks": exported_marks, "views": exported_views}


@dataclass(frozen=True)
class Layer:
    """A layer read from JSON: marks by paper, views by hub (None: every hub)."""

    marks: list[tuple[Paper, dict[str, Any]]]
    views: list[tuple[Paper | None, SavedView, dt.datetime]]

    @property
    def papers(self) -> list[Paper]:
        named = [paper for paper, _ in self.marks] + [hub for hub, _, _ in self.views if hub is not None]
        return list({tuple(sorted(_identity(p).items())): p for p in named}.values())


def _paper(value: Any, where: str) -> Paper:
    if not isinstance(value, dict) or not isinstance(value.get("title", ""), str):
        raise ValueError(f"{where}: expected a paper's title and identifiers")
    known = {name: value[name] for name in IDENTITY if name in value}
    if "corpus_id" in known and (not isinstance(known["corpus_id"], int) or isinstance(known["corpus_id"], bool)):
        raise ValueError(f"{where}.corpus_id: expected a number")
    if any(not isinstance(known[name], str) for name in known if name != "corpus_id"):
        raise ValueError(f"{where}: identifiers must be text")
    paper = Paper(**{"title": "", **known})
    if not paper.identifiers and not paper.title.strip():
        raise ValueError(f"{where}: a paper needs a title or an identifier")
    return paper


def _moment(value: Any, where: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected an ISO date and time") from None


def read_layer(data: Any) -> Layer:
    """The Layer of :func:`export_layer`'s JSON; ValueError naming what is wrong and where."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'not a pithtui layer (expected "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise ValueError(f"a layer of version {data.get('version')!r}; this pithtui reads version {VERSION}")
    marks_in, views_in = data.get("marks", []), data.get("views", [])
    if not isinstance(marks_in, list) or not isinstance(views_in, list):
        raise ValueError("marks and views: expected lists")
    read_marks = []
    for n, mark in enumerate(marks_in):
        where = f"marks[{n}]"
        if not isinstance(mark, dict):
            raise ValueError(f"{where}: expected an object")
        paper = _paper(mark.get("paper"), f"{where}.paper")
        values: dict[str, Any] = {}
        for field, kind in (("starred", bool), ("read", bool), ("note", str), ("verdict", str)):
            value = mark.get(field, None if field == "verdict" else kind())
            if not (isinstance(value, kind) or (field == "verdict" and value is None)):
                raise ValueError(f"{where}.{field}: expected {kind.__name__}")
            values[field] = value
            values[f"{field}_at"] = _moment(mark.get(f"{field}_at"), f"{where}.{field}_at")
        changed = _moment(mark.get("changed_at"), f"{where}.changed_at")
        stamps = [at for at in (values[f"{f}_at"] for f in MARK_FIELDS) if at is not None]
        values["changed_at"] = changed or max(stamps, default=None) or dt.datetime(1970, 1, 1)
        read_marks.append((paper, values))
    read_views = []
    for n, view in enumerate(views_in):
        where = f"views[{n}]"
        if not isinstance(view, dict) or not isinstance(view.get("name"), str) or not view["name"].strip():
            raise ValueError(f"{where}: expected a named view")
        hub = None if view.get("hub") is None else _paper(view["hub"], f"{where}.hub")
        try:
            saved = SavedView(view["name"], filters_from_json(view.get("filters", {})), SortKey(view.get("sort", "date")))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        saved = SavedView(saved.name, saved.filters, saved.sort, bool(view.get("descending", True)))
        read_views.append((hub, saved, _moment(view.get("changed_at"), f"{where}.changed_at") or dt.datetime(1970, 1, 1)))
    return Layer(read_marks, read_views)


def paper_ids(conn: Connection, named: list[Paper]) -> dict[int, int]:
    """The stored id of each paper (by ``id()`` of the record) found by any identifier it has,
    else by its title."""
    found: dict[int, int] = {}
    for paper in named:
        conds = [papers.c[name] == value for name, value in paper.identifiers.items()]
        if not conds:
            conds = [papers.c.title_key == title_key(paper.title)]
        for cond in conds:
            paper_id = conn.execute(select(papers.c.id).where(cond).limit(1)).scalar()
            if paper_id is not None:
                found[id(paper)] = int(paper_id)
                break
    return found


def merge_layer(conn: Connection, layer: Layer, ids: dict[int, int]) -> tuple[int, int]:
    """Merge ``layer`` into the owner's (its papers stored: ``ids``); returns (marks, views)."""
    merge_marks(conn, [{"paper_id": ids[id(paper)], **values} for paper, values in layer.marks])
    v = saved_views.c
    me = owner(conn.dialect.name)
    kept = 0
    for hub, view, changed in layer.views:
        hub_key = EVERY_HUB if hub is None else ids[id(hub)]
        stored = conn.execute(select(v.changed_at).where(v.owner == me, v.hub_key == hub_key, v.name == view.name)).scalar()
        if stored is None or changed > stored:
            save(conn, SavedView(view.name, view.filters, view.sort, view.descending, hub_key or None), changed)
            kept += 1
    return len(layer.marks), kept
