"""The reader's own layer in the store: marks, "yours" filters and facets, saved views, and
moving a layer between stores. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql_text

from pithtui.errors import StoreError, UnknownPaper
from pithtui.models import Citation, Filters, MineChange, Paper, SavedView, SortKey
from pithtui.store import HubRepository, open_repository

HUB = Paper(title="The Hub Paper", arxiv_id="2301.00001")
_roles = itertools.count()
N = 12


def citing(i: int, **fields: object) -> Paper:
    return Paper(title=f"Citing paper {i}", arxiv_id=f"2402.{i:05d}", date=dt.date(2020 + i % 5, 1 + i % 12, 1), **fields)  # type: ignore[arg-type]


@pytest.fixture
def hub(repo: HubRepository) -> int:
    repo.upsert(
        [HUB]
        + [
            Citation(
                citing=citing(i), cited=HUB, polarity=("supporting", "contrasting", None)[i % 3], roles=("uses",) if i % 2 else ()
            )
            for i in range(N)
        ]
    )
    return repo.resolve(HUB.arxiv_id).id or 0


def ids(repo: HubRepository, hub: int, f: Filters, sort: SortKey = SortKey.DATE) -> list[int]:
    return [row.paper.id or 0 for row in repo.iter_citing(hub, f, sort)]


def paper(repo: HubRepository, i: int) -> int:
    return repo.resolve(f"2402.{i:05d}").id or 0


def test_a_mark_is_kept_field_by_field_and_shown_with_its_citing_paper(repo: HubRepository, hub: int) -> None:
    p = paper(repo, 3)
    assert not repo.mine(p).marked
    repo.mark(p, MineChange(starred=True))
    mine = repo.mark(p, MineChange(note="Contradicts §4:\n[red]not markup[/red]", verdict="disagree"))
    assert (mine.starred, mine.read, mine.note, mine.verdict) == (
        True,
        False,
        "Contradicts §4:\n[red]not markup[/red]",
        "disagree",
    )
    assert mine.changed_at is not None
    row = repo.citing_paper(hub, p)
    assert row.mine == mine
    [on_page] = [r for r in repo.page(hub, limit=N).rows if r.paper.id == p]
    assert on_page.mine == mine
    cleared = repo.mark(p, MineChange(note="", verdict=""))
    assert (cleared.starred, cleared.note, cleared.verdict) == (True, "", None)


def test_marking_a_paper_that_is_not_stored_is_refused(repo: HubRepository, hub: int) -> None:
    with pytest.raises(UnknownPaper):
        repo.mark(10_000_000, MineChange(starred=True))


def test_yours_filters_combine_with_every_other_filter_and_count_alike(repo: HubRepository, hub: int) -> None:
    starred, read, noted = {1, 2, 4, 7}, {2, 3, 4, 9, 11}, {4, 5}
    verdicts = {1: "must-read", 5: "useful", 7: "must-read"}
    for i in range(N):
        change = MineChange(
            starred=True if i in starred else None,
            read=True if i in read else None,
            note="why" if i in noted else None,
            verdict=verdicts.get(i),
        )
        if not change.empty:
            repo.mark(paper(repo, i), change)
    by_index = {paper(repo, i): i for i in range(N)}
    polarity = {paper(repo, i): ("supporting", "contrasting", None)[i % 3] for i in range(N)}

    def expected(f: Filters) -> set[int]:
        keep = set()
        for pid, i in by_index.items():
            if "starred" in f.mine and i not in starred or "read" in f.mine and i not in read:
                continue
            if "unread" in f.mine and i in read or "noted" in f.mine and i not in noted:
                continue
            if f.my_verdicts and verdicts.get(i) not in f.my_verdicts:
                continue
            if f.polarities and polarity[pid] not in f.polarities:
                continue
            keep.add(pid)
        return keep

    cases = [
        Filters(mine=frozenset({"starred"})),
        Filters(mine=frozenset({"unread"})),
        Filters(mine=frozenset({"read"})),
        Filters(mine=frozenset({"noted"})),
        Filters(mine=frozenset({"starred", "unread"})),
        Filters(my_verdicts=frozenset({"must-read"})),
        Filters(mine=frozenset({"unread"}), polarities=frozenset({"supporting"})),
        Filters(mine=frozenset({"starred"}), polarities=frozenset({None})),
    ]
    for f in cases:
        want = expected(f)
        for sort in (SortKey.DATE, SortKey.TITLE, SortKey.POLARITY):
            assert set(ids(repo, hub, f, sort)) == want, (f, sort)
        assert repo.count(hub, f) == len(want), f
        facets = repo.facets(hub, f)
        assert sum(v.count for v in facets.polarity if not f.polarities or v.value in f.polarities) == len(want), f
        yours = {v.value: v.count for v in facets.mine}
        flags_apart = expected(Filters(my_verdicts=f.my_verdicts, polarities=f.polarities))
        assert yours == {
            "starred": len({p for p in flags_apart if by_index[p] in starred}),
            "unread": len({p for p in flags_apart if by_index[p] not in read}),
            "noted": len({p for p in flags_apart if by_index[p] in noted}),
        }, f
        verdicts_apart = expected(Filters(mine=f.mine, polarities=f.polarities))
        mine_verdicts = {v.value: v.count for v in facets.my_verdict if v.count}
        want_verdicts: dict[str, int] = {}
        for p in verdicts_apart:
            if by_index[p] in verdicts:
                want_verdicts[verdicts[by_index[p]]] = want_verdicts.get(verdicts[by_index[p]], 0) + 1
        assert mine_verdicts == want_verdicts, f
    paged = repo.page(hub, Filters(mine=frozenset({"unread"})), limit=3)
    assert paged.total == N - len(read) and len(paged.rows) == 3


def test_marks_survive_a_reimport_a_refresh_and_a_merge_of_the_same_paper(repo: HubRepository, hub: int) -> None:
    p = paper(repo, 0)
    repo.mark(p, MineChange(starred=True, note="keep me"))
    repo.upsert([Citation(citing=citing(0, venue="NeurIPS", summary="refreshed"), cited=HUB, polarity="contrasting")])
    assert repo.mine(p).note == "keep me" and repo.mine(p).starred
    # The same paper known by a DOI only, marked there too; then a record with both ids merges them.
    repo.upsert([Paper(title="Citing paper 0 (published)", doi="10.1000/zero")])
    other = repo.resolve("10.1000/zero").id or 0
    repo.mark(other, MineChange(read=True, verdict="useful"))
    repo.save_view(SavedView("zero's view", Filters(search="x"), hub_id=other))
    repo.upsert([Paper(title="Citing paper 0", arxiv_id="2402.00000", doi="10.1000/zero")])
    merged = repo.resolve("10.1000/zero").id
    assert merged == repo.resolve("2402.00000").id
    kept = repo.mine(merged or 0)
    assert (kept.starred, kept.read, kept.note, kept.verdict) == (True, True, "keep me", "useful")
    assert [v.name for v in repo.saved_views(merged)] == ["zero's view"]


def test_saved_views_per_hub_and_for_every_hub(repo: HubRepository, hub: int) -> None:
    mine = Filters(mine=frozenset({"unread"}), polarities=frozenset({"contrasting", None}), since=dt.date(2021, 1, 1))
    repo.save_view(SavedView("weekly", mine, SortKey.CONTRAST, False, hub))
    repo.save_view(SavedView("everywhere", Filters(search="model"), SortKey.TITLE, True, None))
    views = repo.saved_views(hub)
    assert [(v.name, v.hub_id) for v in views] == [("weekly", hub), ("everywhere", None)]
    assert (views[0].filters, views[0].sort, views[0].descending) == (mine, SortKey.CONTRAST, False)
    repo.save_view(SavedView("weekly", Filters(), SortKey.DATE, True, hub))  # replaced
    assert repo.saved_views(hub)[0].filters == Filters()
    assert [v.name for v in repo.saved_views(paper(repo, 1))] == ["everywhere"]
    assert repo.delete_view("weekly", hub) and not repo.delete_view("weekly", hub)


def test_a_layer_moves_between_stores_and_an_import_keeps_the_newer_change(repo: HubRepository, hub: int, tmp_path: Path) -> None:
    repo.mark(paper(repo, 1), MineChange(starred=True, note="first thoughts"))
    repo.save_view(SavedView("mine", Filters(mine=frozenset({"starred"})), hub_id=hub))
    exported = json.loads(json.dumps(repo.export_mine()))
    other = open_repository(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        other.upsert([Citation(citing=citing(1), cited=HUB)])
        target = other.resolve("2402.00001").id or 0
        other.mark(target, MineChange(read=True, note="later thoughts"))  # newer than the export's note
        assert other.import_mine(exported) == (1, 1, 0)
        got = other.mine(target)
        assert (got.starred, got.read, got.note) == (True, True, "later thoughts")
        assert [v.name for v in other.saved_views(other.resolve(HUB.arxiv_id).id)] == ["mine"]
        assert other.import_mine(exported)[1] == 0  # the same views again: nothing newer
        # A paper the store lacks is added, bare, to keep its mark.
        lone = {
            **exported,
            "marks": [{**exported["marks"][0], "paper": {"title": "Only here", "doi": "10.9999/only"}}],
            "views": [],
        }
        assert other.import_mine(lone) == (1, 0, 1)
        assert other.mine(other.resolve("10.9999/only").id or 0).starred
    finally:
        other.close()


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"format": "pithtui-mine", "version": 99},
        {"format": "pithtui-mine", "version": 1, "marks": [{"paper": {}}]},
        {"format": "pithtui-mine", "version": 1, "marks": [{"paper": {"title": "T"}, "starred": "yes"}]},
        {"format": "pithtui-mine", "version": 1, "views": [{"name": "v", "filters": {"roles": "x"}}]},
    ],
)
def test_a_file_that_is_not_a_layer_is_refused_changing_nothing(repo: HubRepository, hub: int, bad: dict) -> None:
    before = repo.export_mine()
    with pytest.raises(ValueError):
        repo.import_mine(bad)
    assert repo.export_mine() == before


def test_a_read_only_store_refuses_marks_in_one_line_and_still_browses(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    writer = open_repository(f"sqlite:///{path}")
    writer.upsert([Citation(citing=citing(0), cited=HUB)])
    writer.close()
    path.chmod(0o444)
    reader = open_repository(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        hub = reader.resolve(HUB.arxiv_id).id or 0
        with pytest.raises(StoreError) as refused:
            reader.mark(reader.resolve("2402.00000").id or 0, MineChange(starred=True))
        assert "read-only" in str(refused.value) and "\n" not in str(refused.value)
        assert reader.count(hub) == 1
    finally:
        reader.close()
        path.chmod(0o644)


@pytest.fixture
def two_roles(postgres_server) -> Iterator[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(owner URL, alice's URL, bob's URL) of a PostgreSQL store both may read and write."""
    url = postgres_server.create_database()
    repo = open_repository(url)
    repo.upsert([HUB] + [Citation(citing=citing(i), cited=HUB) for i in range(3)])
    repo.close()
    roles = [f"{name}_{os.getpid()}_{next(_roles)}" for name in ("alice", "bob")]
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for role in roles:
            conn.execute(sql_text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(sql_text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
            conn.execute(sql_text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    engine.dispose()
    yield url, *(url.replace("postgres@", f"{role}@") for role in roles)  # type: ignore[misc]
    postgres_server.drop_database(url)
    admin = create_engine(postgres_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in roles:
            conn.execute(sql_text(f'DROP ROLE "{role}"'))
    admin.dispose()


def test_two_postgresql_roles_each_see_only_their_own_layer(two_roles: tuple[str, str, str]) -> None:
    owner_url, alice_url, bob_url = two_roles
    alice, bob, owner = (open_repository(url) for url in (alice_url, bob_url, owner_url))
    try:
        hub = alice.resolve(HUB.arxiv_id).id or 0
        first = alice.resolve("2402.00000").id or 0
        alice.mark(first, MineChange(starred=True, note="alice's"))
        alice.save_view(SavedView("alice's view", Filters(mine=frozenset({"starred"})), hub_id=hub))
        bob.mark(first, MineChange(read=True))
        assert (alice.mine(first).note, alice.mine(first).read) == ("alice's", False)
        assert (bob.mine(first).note, bob.mine(first).starred, bob.mine(first).read) == ("", False, True)
        assert alice.count(hub, Filters(mine=frozenset({"starred"}))) == 1
        assert bob.count(hub, Filters(mine=frozenset({"starred"}))) == 0
        assert bob.saved_views(hub) == [] and not owner.mine(first).marked
        with bob.engine.connect() as conn:  # not even by SQL of his own
            assert conn.execute(sql_text("SELECT count(*) FROM marks")).scalar_one() == 1
            assert conn.execute(sql_text("SELECT count(*) FROM saved_views")).scalar_one() == 0
        # Bob's import finds the paper to be one with another record: Alice's marks move with it.
        bob.upsert([Paper(title="Citing paper 0, published", doi="10.1000/zero")])
        published = alice.resolve("10.1000/zero").id or 0
        alice.mark(published, MineChange(verdict="useful"))
        bob.upsert([Paper(title="Citing paper 0", arxiv_id="2402.00000", doi="10.1000/zero")])
        merged = alice.resolve("10.1000/zero").id or 0
        assert {merged} < {first, published}  # one record absorbed the other
        kept = alice.mine(merged)
        assert (kept.note, kept.verdict) == ("alice's", "useful") and bob.mine(merged).read
    finally:
        for repo in (alice, bob, owner):
            repo.close()


def test_two_programs_marking_one_paper_at_once_each_keep_their_fields(tmp_path: Path) -> None:
    """Each writes only the fields it names, in one statement: no error, and the last write of
    each field wins."""
    import multiprocessing

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    setup = open_repository(url)
    setup.upsert([Citation(citing=citing(0), cited=HUB)])
    paper_id = setup.resolve("2402.00000").id or 0
    setup.close()
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        done = pool.starmap(_mark_many, [(url, paper_id, "star"), (url, paper_id, "note")])
    assert done == [50, 50]
    reader = open_repository(url)
    try:
        mine = reader.mine(paper_id)
        assert (mine.starred, mine.note) == (True, "note 49")
    finally:
        reader.close()


def _mark_many(url: str, paper_id: int, what: str) -> int:
    repo = open_repository(url)
    try:
        for n in range(50):
            change = MineChange(starred=n % 2 == 0 or n == 49) if what == "star" else MineChange(note=f"note {n}")
            repo.mark(paper_id, change)
        return 50
    finally:
        repo.close()
