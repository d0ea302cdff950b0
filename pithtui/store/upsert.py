"""Storing an import in one transaction: the write path behind ``HubRepository.upsert``.

An import's records may name one paper several times, under different identifiers, and name
papers the store already holds. Here the records of one paper are united, matched against the
stored papers by any shared identifier, and merged into them or inserted; their citations
likewise. In the same transaction the copies of a citing paper's attributes that its citation
rows carry, the facet cells and the hubs' citing counts are kept in step with what changed. An
import writes tens of thousands of rows at a time, so each look-up takes all its values in one
statement, and new rows go in by one executemany a table (store/bulk.py).

It is kept apart from the repository, which answers the questions the UI asks: the repository
gathers the batch of papers and opens the write transaction, and the writing is done here.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ARRAY, ColumnElement, Connection, any_, bindparam, delete, func, select, update

from pithtui.merge import BatchPapers, merge_citation, merge_papers, unique
from pithtui.models import PAPER_FIELDS, UNVERDICTED, Citation, ImportResult, Paper
from pithtui.store.bulk import RowInsert
from pithtui.store.cells import CELL_COLUMNS, CellDeltas, cell_key
from pithtui.store.facets import roles_key
from pithtui.store.labels import effective, labelled
from pithtui.store.mine import move as move_marks
from pithtui.store.rows import PAPER_COLUMNS, as_stored, as_tuple, paper_from
from pithtui.store.schema import FTS_INSERT, NO_NOVELTY, WORD_COLUMNS, citations, papers, utcnow, visits
from pithtui.text import title_key

ANALYZE_AFTER = 10_000
"""An import adding at least this many papers or citations refreshes the planner's statistics."""

if TYPE_CHECKING:  # the scoring code is loaded only where it runs
    from pithtui.classifier import Classifier


def _analyze(conn: Connection) -> None:
    """Refresh the query planner's statistics of the big tables after a large import. On SQLite
    from a sample of each index (``analysis_limit``): milliseconds, whatever the store's size.

    On PostgreSQL the papers by the columns plans depend on, the stored words among them (how
    common a word is decides between walking a hub in order and listing the word's papers), but
    not the texts themselves, whose statistics no plan reads."""
    tables = ("papers", "citations", "facet_cells", "facet_rollups", "role_sets")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=400")
        for name in tables:
            conn.exec_driver_sql(f"ANALYZE {name}")
    else:
        words = ", ".join(WORD_COLUMNS.values())
        conn.exec_driver_sql(f"ANALYZE papers (id, title_key, citing_count, {words}), {', '.join(tables[1:])}")


IMPORT_CACHE_KIB = 64_000
"""SQLite's page cache while an import writes (the default is 2 MB). A new citation touches a
page of each of the eleven indexes of ``citations``; with a small cache a large import writes
pages out and reads them back many times over before its commit. Pages are only taken as
needed, and the cache is given back when the import ends."""


@contextmanager
def page_cache(conn: Connection, kib: int) -> Iterator[None]:
    """SQLite's page cache of ``conn`` at ``kib`` KiB inside the block (other backends: as is)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    assert previous is not None  # SQLite always answers this PRAGMA
    conn.exec_driver_sql(f"PRAGMA cache_size=-{kib}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def _among(conn: Connection, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values`` with all the values in one bound parameter: a JSON array read by
    ``json_each`` on SQLite, an array on PostgreSQL. One statement however many values there
    are, where ``IN (?, ?, …)`` takes a statement per few hundred, each rendered and bound by
    SQLAlchemy at a cost above the look-up itself."""
    listed = list(set(values))
    if conn.dialect.name == "sqlite":
        return column.in_(select(func.json_each(json.dumps(listed)).table_valued("value").c.value))
    return column == any_(bindparam(None, listed, type_=ARRAY(column.type)))


PAPER_INSERT = tuple(col.name for col in papers.columns if col.name != "id")
CITATION_INSERT = tuple(col.name for col in citations.columns if col.name != "id")
"""The columns a new paper's (citation's) row gives, in the table's order (see bulk.RowInsert)."""
_paper_row = operator.itemgetter(*PAPER_INSERT)
_citation_row = operator.itemgetter(*CITATION_INSERT)


_STORED_FIELDS = tuple(name for name in PAPER_FIELDS if name != "id")
_stored_fields = operator.attrgetter(*_STORED_FIELDS)


def _paper_values(paper: Paper) -> dict[str, Any]:
    """The papers-table columns for ``paper`` (every column, so executemany rows line up). The
    JSON lists stay tuples: they serialise alike, and being hashable, a list repeated down a
    column is serialised once (see bulk.RowInsert)."""
    values = dict(zip(_STORED_FIELDS, _stored_fields(paper)))
    values["title_key"] = title_key(paper.title)
    return values


def _citing_values(paper: Paper) -> dict[str, Any]:
    """The copies of a citing paper's attributes that a citation row carries."""
    return {
        "citing_date": paper.date.isoformat() if paper.date else "",
        "citing_year": paper.date.year if paper.date else None,
        "citing_novelty": paper.novelty if paper.novelty is not None else NO_NOVELTY,
        "citing_title": title_key(paper.title),
        "citing_category": paper.category or "",
        "citing_verdict": paper.verdict or UNVERDICTED,
    }


class Upsert:
    """The writing of one import in the transaction of ``conn``: its papers, then its citations,
    then the facet cells (``deltas``, gathered on the way) and citing counts they change. With a
    ``classifier``, the contexts of each citation stored or changed are labelled on the way."""

    def __init__(
        self,
        conn: Connection,
        inserts: dict[tuple[str, tuple[str, ...]], RowInsert],
        classifier: Classifier | None = None,
    ) -> None:
        self.conn = conn
        self.inserts = inserts
        """The repository's compiled bulk INSERTs (see ``HubRepository._inserts``), filled on first use."""
        self.classifier = classifier
        self.deltas = CellDeltas()

    def store(self, batch: BatchPapers, pending: list[tuple[int, int, Citation]]) -> ImportResult:
        """Store the papers of ``batch`` and the citations ``pending`` (citing group, cited group,
        record) between them."""
        conn, deltas = self.conn, self.deltas
        with page_cache(conn, IMPORT_CACHE_KIB):
            ids, final, paper_stats = self._store_papers(batch)
            links = [(ids[batch.find(a)], ids[batch.find(b)], cit) for a, b, cit in pending]
            citation_stats = self._store_citations(links, final)
            deltas.apply(conn)
            self._recount({key[0] for key in deltas.counts} | deltas.rebuild)
            if citation_stats[0] + paper_stats[0] >= ANALYZE_AFTER:
                _analyze(conn)
        return ImportResult(
            papers_added=paper_stats[0],
            papers_updated=paper_stats[1],
            citations_added=citation_stats[0],
            citations_updated=citation_stats[1],
            skipped=citation_stats[2],
        )

    def _insert(self, table: Any, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert new rows of ``table`` (tuples of the columns ``names``) in one executemany."""
        statement = self.inserts.get((table.name, names))
        if statement is None:
            statement = self.inserts[(table.name, names)] = RowInsert.compile(self.conn.dialect, table, names)
        statement.run(self.conn, rows)

    def _existing_ids(self, keys: Iterable[tuple[str, Any]]) -> dict[tuple[str, Any], int]:
        conn = self.conn
        wanted: dict[str, list[Any]] = {}
        for name, value in keys:
            wanted.setdefault(name, []).append(value)
        found: dict[tuple[str, Any], int] = {}
        for name, values in wanted.items():
            col = papers.c[name]
            query = select(papers.c.id, col).where(_among(conn, col, values)).order_by(papers.c.id.desc())
            for paper_id, value in conn.execute(query).all():
                found[(name, value)] = paper_id  # lowest id wins on a title shared by several
        return found

    def _fetch_papers(self, ids: Iterable[int]) -> dict[int, Paper]:
        conn = self.conn
        rows = conn.execute(select(*PAPER_COLUMNS).where(_among(conn, papers.c.id, ids))).all()
        return {row.id: paper_from(row) for row in rows}

    def _store_papers(self, batch: BatchPapers) -> tuple[dict[int, int], dict[int, Paper], tuple[int, int]]:
        """Insert or update each paper of the batch; returns group → paper id, paper id → stored
        paper, and (added, updated)."""
        conn = self.conn
        roots = batch.roots()
        found = self._existing_ids(key for g in roots for key in batch.keys[g])
        matches = {g: sorted({found[k] for k in batch.keys[g] if k in found}) for g in roots}
        stored = self._fetch_papers(i for ids in matches.values() for i in ids)
        group_ids: dict[int, int] = {}
        final: dict[int, Paper] = {}
        to_insert: list[int] = []
        updates: list[Paper] = []
        absorbed: set[int] = set()
        for g in roots:
            matched = matches[g]
            if not matched:
                to_insert.append(g)
                continue
            target = matched[0]
            current = stored[target]
            for other in matched[1:]:
                current = replace(merge_papers(stored[other], current), id=target)
                self._absorb(other, target)
                absorbed.add(target)
            merged = merge_papers(current, batch.merged[g])
            group_ids[g] = target
            final[target] = merged
            if merged != stored[target] or len(matched) > 1:
                updates.append(merged)
        if to_insert:
            now = utcnow()
            rows = [
                {**_paper_values(batch.merged[g]), "citing_count": 0, "created_at": now, "updated_at": now} for g in to_insert
            ]
            # A plain executemany (no RETURNING, which SQLite would run row by row); the new ids
            # are then looked up by the same keys the papers were matched on.
            self._insert(papers, PAPER_INSERT, [_paper_row(row) for row in rows])
            new_ids = self._existing_ids(batch.keys[g][0] for g in to_insert)
            for g in to_insert:
                paper_id = new_ids[batch.keys[g][0]]
                group_ids[g] = paper_id
                final[paper_id] = batch.merged[g]
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(
                    FTS_INSERT,
                    [{"id": group_ids[g], "title": row["title"], "summary": row["summary"]} for g, row in zip(to_insert, rows)],
                )
        if updates:
            now = utcnow()
            conn.execute(
                update(papers).where(papers.c.id == bindparam("_id")),
                [{**_paper_values(p), "updated_at": now, "_id": p.id} for p in updates],
            )
            # Citations taken over from an absorbed paper still carry that paper's copies.
            # (The papers in ``updates`` are stored ones: each ``p.id`` is set.)
            stored_by_id = cast(dict[int | None, Paper], stored)
            changed_copies = [p for p in updates if p.id in absorbed or _citing_values(p) != _citing_values(stored_by_id[p.id])]
            if changed_copies:
                self._move_cells_of_citing(cast(dict[int, Paper], {p.id: p for p in changed_copies}))
                conn.execute(
                    update(citations).where(citations.c.citing_id == bindparam("_id")),
                    [{**_citing_values(p), "_id": p.id} for p in changed_copies],
                )
        ids = {g: group_ids[batch.find(g)] for g in range(len(batch.parent))}
        return ids, final, (len(to_insert), len(updates))

    def _move_cells_of_citing(self, changed: dict[int, Paper]) -> None:
        """Citations of papers whose verdict, category or date changes move to other cells."""
        conn, deltas = self.conn, self.deltas
        c = citations.c
        for row in conn.execute(select(c.citing_id, *CELL_COLUMNS).where(_among(conn, c.citing_id, changed))).all():
            now = {**row._mapping, **_citing_values(changed[row.citing_id])}
            deltas.move(cell_key(row.cited_id, row._mapping), cell_key(row.cited_id, now))

    def _recount(self, hub_ids: set[int]) -> None:
        """Bring ``papers.citing_count`` of these papers in line with their citations."""
        conn = self.conn
        stored = select(func.count()).select_from(citations).where(citations.c.cited_id == papers.c.id).scalar_subquery()
        if hub_ids:
            conn.execute(update(papers).where(_among(conn, papers.c.id, hub_ids)).values(citing_count=stored))

    def _absorb(self, other: int, target: int) -> None:
        """Fold paper ``other`` into ``target`` (they turned out to be one paper): its citations
        move over unless ``target`` already has the same one, then it is deleted. The hubs whose
        counts this changes are marked for a recount."""
        conn, deltas = self.conn, self.deltas
        c = citations.c
        deltas.rebuild.add(target)
        deltas.rebuild.update(conn.execute(select(c.cited_id).where(c.citing_id == other)).scalars())
        for mine, theirs in ((c.citing_id, c.cited_id), (c.cited_id, c.citing_id)):
            taken = select(theirs).where(mine == target).scalar_subquery()
            conn.execute(delete(citations).where(mine == other, theirs.in_(taken)))
            conn.execute(delete(citations).where(mine == other, theirs == target))
            conn.execute(update(citations).where(mine == other).values({mine.key: target}))
        move_marks(conn, other, target)
        conn.execute(delete(visits).where(visits.c.paper_id == other))
        conn.execute(delete(papers).where(papers.c.id == other))

    def _existing_citations(self, pairs: Iterable[tuple[int, int]], *columns: Any) -> dict[tuple[int, int], Any]:
        """Stored citation rows (id, citing_id and ``columns``) by (cited id, citing id)."""
        conn = self.conn
        by_hub: dict[int, list[int]] = {}
        for cited_id, citing_id in pairs:
            by_hub.setdefault(cited_id, []).append(citing_id)
        c = citations.c
        found: dict[tuple[int, int], Any] = {}
        for cited_id, citing_ids in by_hub.items():
            query = select(c.id, c.citing_id, *columns).where(c.cited_id == cited_id, _among(conn, c.citing_id, citing_ids))
            for row in conn.execute(query).all():
                found[(cited_id, row.citing_id)] = row
        return found

    def _store_citations(self, links: list[tuple[int, int, Citation]], final: dict[int, Paper]) -> tuple[int, int, int]:
        """Insert or update citations (cited id, citing id, record); returns (added, updated,
        skipped)."""
        conn, deltas = self.conn, self.deltas
        merged: dict[tuple[int, int], Citation] = {}
        skipped = 0
        for citing_id, cited_id, record in links:
            if citing_id == cited_id:
                skipped += 1
                continue
            key = (cited_id, citing_id)
            earlier = merged.get(key)
            merged[key] = record if earlier is None else merge_citation(earlier, record)
        c = citations.c
        existing = self._existing_citations(
            merged,
            c.polarity, c.influential, c.representative, as_stored(c.contexts), c.source,
            c.source_roles_key, c.label_model, c.contrast, *CELL_COLUMNS[1:],
        )  # fmt: skip
        classifier = self.classifier
        now = utcnow()
        new_rows: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        relabelled: list[dict[str, Any]] = []
        for (cited_id, citing_id), record in merged.items():
            row = existing.get((cited_id, citing_id))
            if row is None:
                contexts = unique(record.contexts)
                source_roles = roles_key(record.roles)
                polarity = record.polarity or None  # "" is no polarity: not yet classified
                values = {
                    "cited_id": cited_id,
                    "citing_id": citing_id,
                    "polarity": polarity,
                    "influential": record.influential,
                    "representative": record.representative,
                    "contexts": contexts,
                    "source": record.source,
                    "first_seen": now,
                    **_citing_values(final[citing_id]),
                    "source_roles_key": source_roles,
                    **labelled(classifier, contexts, source_roles, polarity)[0],
                }
                new_rows.append(values)
                deltas.add(cell_key(cited_id, values))
                continue
            before = {
                "source_roles_key": row.source_roles_key,
                "polarity": row.polarity,
                "influential": bool(row.influential),
                "representative": bool(row.representative),
                "contexts": as_tuple(row.contexts),
                "source": row.source,
            }
            values = {
                "source_roles_key": roles_key(record.roles) or before["source_roles_key"],
                "polarity": record.polarity or before["polarity"],
                "influential": before["influential"] or record.influential,
                "representative": before["representative"] or record.representative,
                "contexts": unique(record.contexts) or before["contexts"],
                "source": record.source or before["source"],
            }
            relabel = classifier is not None and (
                values["contexts"] != before["contexts"] or row.label_model != classifier.model_id
            )
            if values != before or relabel:
                if relabel:
                    values.update(labelled(classifier, values["contexts"], values["source_roles_key"], values["polarity"])[0])
                else:  # the model's label stands; where the source says nothing, the row's values are the model's
                    kept = {"roles_key": row.roles_key, "polarity_key": row.polarity_key, "contrast": row.contrast}
                    values.update(effective(values["source_roles_key"], values["polarity"], kept))
                (relabelled if relabel else changed).append({**values, "_id": row.id})
                deltas.move(cell_key(cited_id, row._mapping), cell_key(cited_id, {**row._mapping, **values}))
        if new_rows:
            self._insert(citations, CITATION_INSERT, [_citation_row(row) for row in new_rows])
        for rows in (changed, relabelled):  # one executemany each: their rows set other columns
            if rows:
                conn.execute(update(citations).where(citations.c.id == bindparam("_id")), rows)
        return len(new_rows), len(changed) + len(relabelled), skipped
