"""Hostile text: stored exactly, shown inert, never syntax.

Titles, summaries, roles and the rest come from outside. Whatever they hold (Rich markup, ANSI
escape sequences, bidirectional overrides, 10,000 characters, SQL) the store keeps them to the
character on both backends, ``show`` and the TUI print them as plain text without a control
code, and search text is always a bound parameter: it never errors and never changes the store.
(Control codes in every ``show`` format and markup in the TUI at ordinary sizes are pinned in
test_cli.py and test_tui_app.py; these tests add the exact round trip, long values, SQL and
FTS syntax, and error messages quoting hostile input.)
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len
from sqlalchemy import select

from pithtui.errors import UnknownPaper
from pithtui.models import Citation, Filters, Paper, SortKey
from pithtui.store import HubRepository, open_repository
from pithtui.store.facets import clean_roles
from pithtui.store.schema import Base
from pithtui.tui import compat

MARKUP = "[bold red]loud[/] [link=https://evil.example]click[/link] [/]"
ANSI = "\x1b[2J\x1b[H\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ \x9b31m"
BIDI = "abc\u202edcba\u202c \u2066iso\u2069 \u200fmark\u200e \u061c"
LONG = "Ten thousand characters " + "x" * (10_000 - 24)
HOSTILE = (MARKUP, ANSI, BIDI, LONG, "tab\tand\nnewline\r\n", "emoji 🧪 and ω and e\u0301")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SQL = (
    "'; DROP TABLE papers; --",
    '"; DELETE FROM citations; --',
    "' OR '1'='1",
    "%",
    "_",
    "%_%",
    "\\",
    "''",
    '"',
    "*",
    "NEAR(a b)",
    "title: x",
    "a AND b OR NOT c",
    "^x",
    "x*",
    "{a b}",
    "- x",
    "(",
    ")",
    "; VACUUM;",
)


def hostile_records() -> tuple[Paper, list[Citation]]:
    hub = Paper(title="Hub " + MARKUP + ANSI, arxiv_id="2301.00001", abstract=BIDI + LONG, venue=ANSI)
    cites = []
    for i, value in enumerate(HOSTILE):
        paper = Paper(
            title=value,
            arxiv_id=f"2402.{i:05d}",
            authors=(value, "Plain Author"),
            summary=value,
            abstract=value,
            category="cs." + value[:50],
            verdict="V " + value[:40],
            venue=value,
            url="https://example.org/" + value[:30],
        )
        cites.append(
            Citation(
                citing=paper,
                cited=hub,
                roles=("role " + value[:60],),
                polarity="p " + value[:30],
                contexts=(value,),
                source=value[:20],
            )
        )
    return hub, cites


def fingerprint(repo: HubRepository) -> list:
    with repo.engine.connect() as conn:
        return [sorted(map(repr, conn.execute(select(table)).all())) for table in Base.metadata.sorted_tables]


@pytest.fixture
def hostile_repo(repo: HubRepository) -> HubRepository:
    hub, cites = hostile_records()
    repo.upsert(cites)
    return repo


def test_hostile_values_are_stored_to_the_character(hostile_repo: HubRepository) -> None:
    repo = hostile_repo
    hub, cites = hostile_records()
    stored_hub = repo.resolve(hub.arxiv_id)
    assert replace(stored_hub, id=None) == hub
    rows = {row.paper.arxiv_id: row for row in repo.iter_citing(stored_hub.id, Filters(), SortKey.TITLE, False)}
    assert len(rows) == len(cites)
    for cite in cites:
        row = rows[cite.citing.arxiv_id]
        assert replace(row.paper, id=None) == cite.citing
        assert (row.contexts, row.polarity, row.source) == (cite.contexts, cite.polarity, cite.source)
        assert row.roles == clean_roles(cite.roles)  # roles are keys: kept without control characters
    # Filters on hostile values are values too: each finds its one paper.
    for cite in cites:
        found = repo.page(
            stored_hub.id, Filters(categories=frozenset({cite.citing.category}), roles=frozenset(clean_roles(cite.roles)))
        )
        assert [r.paper.arxiv_id for r in found.rows] == [cite.citing.arxiv_id]
    # A long title is found by its own words, and sorts by its first characters.
    assert [r.paper.title for r in repo.page(stored_hub.id, Filters(search="ten thousand characters")).rows] == [LONG]


def test_search_text_is_a_bound_parameter_and_never_changes_the_store(hostile_repo: HubRepository) -> None:
    repo = hostile_repo
    hub = repo.resolve("2301.00001").id
    before = fingerprint(repo)
    everything = repo.count(hub, Filters())
    for query in (*SQL, *HOSTILE):
        rows = repo.page(hub, Filters(search=query)).rows
        assert len(rows) <= everything
        assert repo.count(hub, Filters(search=query)) == len(rows)
        repo.facets(hub, Filters(search=query))
        repo.list_papers(query)
        try:
            repo.resolve(query)
        except UnknownPaper:
            pass
        # As filter values as well (a role, a category): no match, no error.
        assert repo.page(hub, Filters(roles=frozenset({query}), categories=frozenset({query}))).rows == ()
    assert repo.page(hub, Filters(search="\x00")).rows == repo.page(hub, Filters()).rows  # no words: no filter
    assert fingerprint(repo) == before
    # Words around the syntax still search as words.
    assert [r.paper.title for r in repo.page(hub, Filters(search="'; ten\" * (thousand")).rows] == [LONG]


def test_show_and_papers_print_hostile_text_inert(run_cli, tmp_path: Path) -> None:
    store = tmp_path / "hostile.db"
    repo = open_repository(str(store))
    repo.upsert(hostile_records()[1])
    before = fingerprint(repo)
    repo.close()
    for args in (
        ("show", "2301.00001", "--limit", "50"),
        ("show", "2301.00001", "--sort", "title", "--asc"),
        ("papers",),
        *(("show", "2301.00001", "--search", query) for query in SQL[:3]),
        *(("papers", "--search", query) for query in SQL[3:6]),
    ):
        done = run_cli(*args, "--db", str(store))
        assert done.returncode == 0, (args, done.stderr)
        assert not UNSAFE.findall(done.stdout), args
        assert "\x1b" not in done.stdout + done.stderr
    shown = run_cli("show", "2301.00001", "--db", str(store)).stdout
    assert "[bold red]loud[/]" in shown  # markup printed as the text it is
    assert "Ten thousand characters xxx" in shown
    lines = shown.splitlines()
    listed = lines[lines.index("citing papers explorer") + 2 : -2]
    assert len(listed) == len(HOSTILE)
    assert all(cell_len(line) <= 100 for line in listed), "a listed row ran past the width"
    repo = open_repository(str(store))
    assert fingerprint(repo) == before
    repo.close()


def test_an_error_quoting_hostile_input_is_one_clean_line(run_cli, tmp_path: Path) -> None:
    answers = {
        "answer.json": {"error": "\x1b[2J\x1b[31mNot found\x1b[0m\nrm -rf ~ \u202etxt.exe"},
        "s2.json": [
            {"paperId": "0123456789abcdef0123456789abcdef01234567", "title": "ok"},
            {"error": "\x1b]0;pwned\x07bad\r\nline"},
        ],
        "field.json": {"paperId": "0123456789abcdef0123456789abcdef01234567", "title": ["\x1b[31m", "list"]},
    }
    for name, value in answers.items():
        path = tmp_path / name
        path.write_text(json.dumps(value), encoding="utf-8")
        done = run_cli("import", str(path), "--db", str(tmp_path / "store.db"))
        assert done.returncode == 1
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert not UNSAFE.findall(done.stderr.rstrip("\n")), repr(done.stderr)
        assert name in lines[0]


def test_the_tui_shows_ten_thousand_characters_and_every_code_inert(tmp_path: Path) -> None:
    from scenes import settle

    from pithtui.tui.app import PithApp

    async def run() -> tuple[list[str], list[str]]:
        repo = open_repository(str(tmp_path / "tui.db"))
        repo.upsert(hostile_records()[1])
        screens, segments = [], []
        app = PithApp(repo, ref="2301.00001")
        async with app.run_test(size=(100, 30)) as pilot:
            # The hub; the long paper found by its words and opened; the picker; a SQL search.
            steps = (
                (),
                ("slash", *"ten thousand", "enter", "enter"),
                ("escape", "escape", "o"),
                ("escape", "slash", "ctrl+u", *"'; DROP TABLE papers; --", "enter"),
            )
            for keys in steps:
                await pilot.press(*keys)
                await settle(pilot)
                strips = compat.screen_strips(app.screen)
                screens.append("\n".join(strip.text for strip in strips))
                segments.extend(segment.text for strip in strips for segment in strip)
        repo.close()
        return screens, segments

    screens, segments = asyncio.run(run())
    for text in [*screens, *segments]:
        assert not UNSAFE.findall(text), repr(text[:200])
    hub, detail, picker, searched = screens
    assert "Hub [bold red]loud[/] [link=https://evil.example]click[/link]" in hub
    assert "[bold red]loud[/]" in picker and "Ten thousand characters" in picker
    assert "Ten thousand characters" in detail and detail.count("x" * 80) >= 3  # wrapped over lines, not cut
    assert "Showing 0 of 6" in searched


def test_a_nul_in_a_file_is_left_out_the_same_on_both_backends(db_url: str, tmp_path: Path) -> None:
    """PostgreSQL cannot store a NUL character (SQLite can): the importers leave it out, so a
    file imports alike everywhere instead of failing on one backend."""
    from pithtui.sources.document import load
    from pithtui.sources.importer import import_document

    repo = open_repository(db_url)
    data = json.dumps(
        {"paperId": "0123456789abcdef0123456789abcdef01234567", "title": "Nul\u0000 in\u0000side", "abstract": "a\\u0000b"}
    ).encode()
    import_document(repo, load(data, "nul.json"))
    paper = repo.resolve("0123456789abcdef0123456789abcdef01234567")
    assert (paper.title, paper.abstract) == ("Nul inside", "a\\u0000b")
    repo.close()


def test_a_huge_value_is_shown_clipped_and_stored_whole(tmp_path: Path) -> None:
    """A 10 MB title and abstract: ``show`` and the TUI print at most SHOWN_CHARS of each (so no
    single value makes a screen slow), while the store and the exports keep them whole."""
    import io

    from pithtui.export import build_report, write_json
    from pithtui.hub_text import write_text
    from pithtui.text import SHOWN_CHARS
    from pithtui.tui.safe import literal

    huge = "W" * 10_000_000
    repo = open_repository(f"sqlite:///{tmp_path / 'huge.db'}")
    try:
        hub = Paper(title=huge, abstract="a " * 5_000_000, arxiv_id="2401.00001")
        repo.upsert([Citation(citing=Paper(title=huge, arxiv_id="2401.00002"), cited=hub)])
        stored = repo.resolve("2401.00001")
        assert stored.title == huge
        out = io.StringIO()
        write_text(build_report(repo, stored.id), out, width=100)
        text = out.getvalue()
        assert len(text) < 4 * SHOWN_CHARS and "W…" in text
        assert literal(huge).plain == "W" * (SHOWN_CHARS - 1) + "…"
        exported = io.StringIO()
        write_json(build_report(repo, stored.id), exported)
        assert huge in exported.getvalue()
    finally:
        repo.close()
