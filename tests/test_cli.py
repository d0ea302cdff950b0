"""The ``pithtui`` command end to end, as a subprocess, the way a user runs it.

Every run has its own default store (``XDG_DATA_HOME`` points into the test's tmp dir and
``PITHTUI_DB`` is unset), so the user's real store is never touched. Expected failures must be
one line on stderr, exit status 1, never a traceback, and leave what is stored unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from refusals import unprivileged

import pithtui
from pithtui.cli import main
from pithtui.sources.sample import SAMPLE_REF
from pithtui.store import open_repository

SEED_PAGE = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "pith-hub-page.txt"
"""The Pith hub page pithtui is modelled on (outside the repository; optional)."""

FORMATS = ("text", "json", "csv", "markdown", "bibtex")


# --------------------------------------------------------------------------- what the seed page says


@dataclass(frozen=True)
class SeedPaper:
    title: str
    category: str
    date: str
    novelty: float


@dataclass(frozen=True)
class SeedPage:
    title: str
    cited_by: int
    abstract_start: str
    representatives: tuple[SeedPaper, ...]


def read_seed_page(text: str) -> SeedPage:
    """The hub title, its "N Pith papers cite this work", and the representative citing papers
    (a title line, then ``category · date · verdict · novelty X``, then a summary)."""
    lines = [line.strip() for line in text.splitlines()]
    cited = re.search(r"^(\d+) Pith papers cite this work", text, re.M)
    title = lines[lines.index("hub") + 2]
    abstract = lines[lines.index("abstract") + 2]
    meta = re.compile(r"^(\S+) · (\d{4}-\d{2}-\d{2}) · \w+ · novelty ([\d.]+)$")
    start = lines.index("representative citing papers")
    papers = []
    for i in range(start, len(lines)):
        found = meta.match(lines[i])
        if found:
            heading = next(line for line in reversed(lines[start:i]) if line)
            papers.append(SeedPaper(heading, found.group(1), found.group(2), float(found.group(3))))
    return SeedPage(title, int(cited.group(1)), abstract[:60], tuple(papers))


def seed_counts(page: SeedPage) -> dict[tuple[str, ...], int]:
    """``show`` filters and how many of the page's citing papers each keeps."""
    papers = page.representatives
    return {
        ("--category", "cs.LG"): sum(p.category == "cs.LG" for p in papers),
        ("--min-novelty", "6.5"): sum(p.novelty >= 6.5 for p in papers),
        ("--since", "2026"): sum(p.date >= "2026" for p in papers),
        ("--until", "2024-12"): sum(p.date <= "2024-12-31" for p in papers),
        ("--category", "cs.LG", "--category", "cs.CL"): sum(p.category in ("cs.LG", "cs.CL") for p in papers),
        ("--category", "cs.CL", "--min-novelty", "6.5"): sum(p.category == "cs.CL" and p.novelty >= 6.5 for p in papers),
    }


@dataclass(frozen=True)
class Expected:
    """What ``pithtui show 2305.17493`` must say: from the seed page when it is at hand, else
    as issue 2 states it."""

    title: str
    cited_by: int
    total: int
    counts: dict[tuple[str, ...], int]
    page: SeedPage | None


AS_THE_ISSUE_STATES = Expected(
    title="The Curse of Recursion: Training on Generated Data Makes Models Forget",
    cited_by=30,
    total=8,
    counts={("--category", "cs.LG"): 2, ("--min-novelty", "6.5"): 2},
    page=None,
)


@pytest.fixture(scope="module")
def expected() -> Expected:
    if not SEED_PAGE.exists():
        return AS_THE_ISSUE_STATES
    page = read_seed_page(SEED_PAGE.read_text(encoding="utf-8"))
    return Expected(page.title, page.cited_by, len(page.representatives), seed_counts(page), page)


def test_the_seed_page_says_what_the_issue_says(expected: Expected) -> None:
    if expected.page is None:
        pytest.skip(f"seed page not found: {SEED_PAGE}")
    for name in ("title", "cited_by", "total"):
        assert getattr(expected, name) == getattr(AS_THE_ISSUE_STATES, name)
    for args, count in AS_THE_ISSUE_STATES.counts.items():
        assert expected.counts[args] == count


# --------------------------------------------------------------------------- helpers


def default_store(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "pithtui" / "pithtui.db"


def dump(path: Path) -> list[str]:
    """Everything stored in a SQLite file, as SQL text."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def assert_one_line_error(done: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("pithtui"), lines[0]
    assert done.stdout == ""
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), (fragment, lines[0])
    return lines[0]


def make_store(path: Path, *, sample: bool = True) -> None:
    """A pithtui store at ``path`` (with the sample hub unless ``sample`` is false)."""
    from pithtui.sources.sample import load_sample_hub

    repo = open_repository(f"sqlite:///{path}")
    if sample:
        repo.upsert(load_sample_hub())
    repo.close()


@pytest.fixture
def seeded(run_cli, cli_env) -> Path:
    """The default store after a first run has seeded it with the sample hub."""
    done = run_cli("db", "info")
    assert done.returncode == 0, done.stderr
    return default_store(cli_env)


# --------------------------------------------------------------------------- show


def test_show_prints_the_hub_like_the_seed_page(run_cli, cli_env, expected: Expected) -> None:
    done = run_cli("show", SAMPLE_REF)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert out.splitlines()[0] == expected.title
    assert f"{expected.cited_by} papers cite this work" in out
    for heading in (
        "abstract",
        "citation-role summary",
        "citation-polarity summary",
        "verdicts",
        "representative citing papers",
        "citing papers explorer",
    ):
        assert f"\n{heading}\n" in out, heading
    n = expected.total
    assert out.rstrip().endswith(f"Showing {n} of {n} citing papers after filters.")
    # The first run created the embedded default store under XDG_DATA_HOME, nowhere else.
    assert default_store(cli_env).exists()
    if expected.page is not None:
        assert expected.page.abstract_start in out
        representatives = out.split("representative citing papers")[1].split("citing papers explorer")[0]
        for paper in expected.page.representatives:
            assert paper.title in representatives
            assert f"{paper.category} · {paper.date} · unverdicted · novelty {paper.novelty:.1f}" in representatives


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_show_keeps_to_the_terminal_width(run_cli, cli_env, columns: int) -> None:
    done = run_cli("show", SAMPLE_REF, env={**cli_env, "COLUMNS": str(columns)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line for line in lines if len(line) > columns] == []
    assert "papers cite this work" in done.stdout
    # Every citing paper's title is listed, whole or clipped with an ellipsis.
    explorer = done.stdout.split("citing papers explorer")[1]
    assert explorer.count("2023-06-20") == 1 and "Textbooks Are All You Need" in explorer


def test_filters_narrow_the_hub_as_the_seed_page_implies(run_cli, expected: Expected, tmp_path: Path, capsys) -> None:
    n = expected.total
    # The issue's own examples, end to end: --category cs.LG and --min-novelty 6.5.
    for args in AS_THE_ISSUE_STATES.counts:
        text = run_cli("show", SAMPLE_REF, *args)
        assert text.returncode == 0, text.stderr
        assert f"Showing {expected.counts[args]} of {n} citing papers after filters." in text.stdout, args
    # Every combination, in process (the same main() the command runs) to keep the suite fast.
    store = tmp_path / "sample.db"
    make_store(store)
    for args, count in expected.counts.items():
        assert main(["show", SAMPLE_REF, "--db", str(store), *args, "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert (data["matched"], len(data["citing"]), data["citing_count"]) == (count, count, n), args


def test_show_json_carries_every_key(run_cli, expected: Expected) -> None:
    done = run_cli("show", SAMPLE_REF, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    for key in (
        "paper",
        "cited_by_reported",
        "citing_count",
        "matched",
        "facets",
        "polarity_unclassified",
        "representatives",
        "citing",
    ):
        assert key in data, key
    for key in ("title", "arxiv_id", "doi", "date", "category", "abstract"):
        assert key in data["paper"], key
    assert set(data["facets"]) >= {"role", "polarity", "verdict", "category", "year"}
    n = expected.total
    assert (data["paper"]["title"], data["paper"]["arxiv_id"]) == (expected.title, SAMPLE_REF)
    assert (data["cited_by_reported"], data["citing_count"], data["matched"]) == (expected.cited_by, n, n)
    assert data["polarity_unclassified"] == n
    assert len(data["citing"]) == n and len(data["representatives"]) == n
    for row in data["citing"]:
        for key in (
            "title",
            "arxiv_id",
            "doi",
            "category",
            "date",
            "verdict",
            "novelty",
            "summary",
            "roles",
            "polarity",
            "influential",
        ):
            assert key in row, key
    dates = [r["date"] for r in data["citing"]]
    assert dates == sorted(dates, reverse=True)  # newest first by default
    if expected.page is not None:
        papers = expected.page.representatives
        assert data["facets"]["category"] == {c: sum(p.category == c for p in papers) for c in {p.category for p in papers}}
        assert sorted(r["title"] for r in data["citing"]) == sorted(p.title for p in papers)


def test_sort_order_and_limit(run_cli) -> None:
    data = json.loads(run_cli("show", SAMPLE_REF, "--sort", "novelty", "--asc", "--format", "json").stdout)
    novelties = [r["novelty"] for r in data["citing"]]
    assert novelties == sorted(novelties)
    titles = [r["title"] for r in json.loads(run_cli("show", SAMPLE_REF, "--sort", "title", "--format", "json").stdout)["citing"]]
    assert titles == sorted(titles, key=str.casefold, reverse=True)
    limited = json.loads(run_cli("show", SAMPLE_REF, "--limit", "3", "--format", "json").stdout)
    assert (len(limited["citing"]), limited["matched"]) == (3, 8)
    text = run_cli("show", SAMPLE_REF, "--limit", "3").stdout
    assert "Showing 8 of 8 citing papers after filters. (first 3 listed" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_to_stdout_and_to_a_file(run_cli, tmp_path: Path, fmt: str) -> None:
    done = run_cli("show", SAMPLE_REF, "--format", fmt)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    out = done.stdout
    if fmt == "json":
        assert len(json.loads(out)["citing"]) == 8
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 8 and {r["category"] for r in rows} == {"cs.LG", "cs.CL"}
    elif fmt == "markdown":
        assert out.startswith("# The Curse of Recursion") and "Showing 8 of 8 citing papers after filters." in out
        assert out.count("\n| ") == 8 + 1  # header and one row per citing paper
    elif fmt == "bibtex":
        assert out.count("@misc{") + out.count("@article{") == 8
    else:
        assert "Showing 8 of 8 citing papers after filters." in out
    target = tmp_path / f"hub.{fmt}"
    written = run_cli("show", SAMPLE_REF, "--format", fmt, "-o", str(target))
    assert written.returncode == 0 and written.stdout == ""
    assert written.stderr.strip() == f"wrote {target}"
    if fmt != "text":  # the text view wraps to the terminal when printed, to 100 columns in a file
        assert target.read_text(encoding="utf-8") == out


def test_show_by_title_words_and_global_db_option(run_cli, tmp_path: Path) -> None:
    store = tmp_path / "elsewhere.db"
    make_store(store)
    for args in (
        ("--db", str(store), "show", "curse of recursion"),
        ("show", "curse of recursion", "--db", f"sqlite:///{store}"),
    ):
        done = run_cli(*args, "--format", "json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["paper"]["arxiv_id"] == SAMPLE_REF


def test_a_hub_one_paper_cites_is_worded_in_the_singular(run_cli, tmp_path: Path) -> None:
    """One citing paper, no roles: every face says so in the same words, in the singular."""
    store, hub = f"sqlite:///{tmp_path / 'one.db'}", tmp_path / "one.json"
    hub.write_text(
        json.dumps(
            {
                "paperId": "a" * 40,
                "title": "A Lonely Hub",
                "citations": [{"citingPaper": {"paperId": "b" * 40, "title": "Its Only Citer"}}],
            }
        )
    )
    assert run_cli("import", str(hub), "--db", store).returncode == 0
    text = run_cli("show", "lonely hub", "--db", store).stdout
    assert "1 paper cites this work." in text and "\n  no roles recorded yet\n" in text
    assert text.rstrip().endswith("Showing 1 of 1 citing paper after filters.")
    markdown = run_cli("show", "lonely hub", "--db", store, "--format", "markdown").stdout
    assert "1 paper cites this work (1 in the store)." in markdown
    assert "Showing 1 of 1 citing paper after filters." in markdown


# --------------------------------------------------------------------------- papers, db, version


def test_papers_lists_the_store_most_cited_first(run_cli, cli_env) -> None:
    done = run_cli("papers")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 9
    assert lines[0].split()[:2] == ["8", SAMPLE_REF]
    assert all(line.split()[0] == "0" for line in lines[1:])
    found = run_cli("papers", "--search", "collapse", "--format", "json")
    titles = [p["title"] for p in json.loads(found.stdout)]
    assert titles and all("collapse" in t.lower() for t in titles)
    none = run_cli("papers", "--search", "zzzz-nothing")
    assert (none.returncode, none.stdout, none.stderr.strip()) == (0, "", "no papers match")
    # Piped, titles stay whole (for grep); in a terminal of 60 columns they are clipped to it.
    piped = run_cli("papers", env={k: v for k, v in cli_env.items() if k != "COLUMNS"}).stdout.splitlines()
    assert piped[0].endswith("The Curse of Recursion: Training on Generated Data Makes Models Forget")
    narrow = run_cli("papers", env={**cli_env, "COLUMNS": "60"}).stdout.splitlines()
    assert narrow[0].startswith(f"      8  {SAMPLE_REF}") and narrow[0].endswith("…")
    assert [len(line) for line in narrow if len(line) > 60] == []


def test_db_path_and_info(run_cli, cli_env, tmp_path: Path) -> None:
    done = run_cli("db", "path")
    assert done.returncode == 0
    assert done.stdout.strip() == f"sqlite:///{default_store(cli_env)}"
    elsewhere = tmp_path / "other.db"
    assert run_cli("db", "path", "--db", str(elsewhere)).stdout.strip() == f"sqlite:///{elsewhere}"
    assert run_cli("db", "path", env={**cli_env, "PITHTUI_DB": str(elsewhere)}).stdout.strip() == f"sqlite:///{elsewhere}"
    info = run_cli("db", "info")
    assert info.returncode == 0, info.stderr
    assert run_cli("db").stdout == info.stdout  # info is what db alone prints
    facts = dict(line.split(": ", 1) for line in info.stdout.splitlines())
    assert facts["database"] == str(default_store(cli_env))
    assert (facts["backend"], facts["papers"], facts["citations"], facts["hubs"]) == ("sqlite", "9", "8", "1")


def test_only_the_default_store_is_seeded(run_cli, cli_env, tmp_path: Path) -> None:
    other = tmp_path / "empty.db"
    info = run_cli("db", "init", env={**cli_env, "PITHTUI_DB": str(other)})
    facts = dict(line.split(": ", 1) for line in info.stdout.splitlines())
    assert facts["papers"] == "0"
    assert not default_store(cli_env).exists()


def test_version(run_cli) -> None:
    expected = f"pithtui {pithtui.__version__}"
    done = run_cli("--version")
    assert (done.returncode, done.stdout.strip()) == (0, expected)
    script = Path(sysconfig.get_path("scripts")) / "pithtui"
    if not script.exists():
        script = Path(shutil.which("pithtui") or "pithtui")
    installed = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert (installed.returncode, installed.stdout.strip()) == (0, expected)


def test_help_lists_the_commands_and_how_to_open_the_terminal_app(run_cli) -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for command in ("show", "papers", "db", "import", "fetch"):
        assert command in done.stdout
    assert "usage: pithtui [REF] [--db URL] [--ansi]" in done.stdout
    assert "With no COMMAND, opens the citation hub of REF" in done.stdout
    show = run_cli("show", "--help")
    assert show.stdout.startswith("usage: pithtui show [-h] [--db URL]")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        ("9999.99999", "`pithtui fetch 9999.99999` or `pithtui show 9999.99999 --fetch` fetches it"),
        ("10.1000/nothing", "'10.1000/nothing' is not in the store; `pithtui fetch 10.1000/nothing`"),
        ("no such words at all", "no paper in the store matches"),
        ("CorpusId:12", "`pithtui fetch CorpusId:12` or"),
    ],
)
def test_unknown_reference(run_cli, seeded: Path, ref: str, said: str) -> None:
    """An identifier the store lacks is offered to fetch; title words are not."""
    before = dump(seeded)
    assert_one_line_error(run_cli("show", ref), said)
    assert dump(seeded) == before


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "2024-13"),
        ("--since", "2024-02-30"),
        ("--since", "yesterday"),
        ("--since", ""),
        ("--until", "24"),
        ("--since", "2025", "--until", "2024"),
        ("--min-novelty", "11"),
        ("--min-novelty", "high"),
        ("--sort", "citations"),
        ("--limit", "-1"),
        ("--format", "pdf"),
    ],
)
def test_malformed_options(run_cli, seeded: Path, args: tuple[str, ...]) -> None:
    before = dump(seeded)
    assert_one_line_error(run_cli("show", SAMPLE_REF, *args))
    assert dump(seeded) == before


def test_malformed_option_before_any_store_exists(run_cli, cli_env) -> None:
    assert_one_line_error(run_cli("show", SAMPLE_REF, "--since", "2024-13"), "--since", "2024-13")
    assert not default_store(cli_env).parent.exists()


def test_a_text_file_is_not_a_database(run_cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes, not a database\n" * 20)
    before = notes.read_bytes()
    for args in (("show", SAMPLE_REF), ("papers",), ("db", "info")):
        assert_one_line_error(run_cli(*args, "--db", str(notes)), "not a SQLite database")
    assert notes.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == ["notes.db"]


@pytest.mark.parametrize("damage", ["garbage after the header", "truncated"])
def test_a_corrupt_store(run_cli, tmp_path: Path, damage: str) -> None:
    store = tmp_path / "store.db"
    make_store(store)
    data = store.read_bytes()
    if damage == "truncated":
        damaged = data[: len(data) // 3]
    else:
        damaged = data[:16] + bytes((i * 7 + 3) % 256 for i in range(len(data) - 16))
    store.write_bytes(damaged)
    assert_one_line_error(run_cli("show", SAMPLE_REF, "--db", str(store)), str(store))
    assert store.read_bytes() == damaged


def test_a_sqlite_database_that_is_not_a_pithtui_store(run_cli, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO accounts (name) VALUES ('alice')")
    conn.commit()
    conn.close()
    before = dump(other)
    assert_one_line_error(run_cli("show", SAMPLE_REF, "--db", str(other)), "not a pithtui store")
    assert dump(other) == before


def test_a_store_written_by_a_newer_pithtui(run_cli, tmp_path: Path) -> None:
    store = tmp_path / "future.db"
    make_store(store)
    conn = sqlite3.connect(store)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")  # a revision this pithtui does not know
    conn.commit()
    conn.close()
    before = dump(store)
    assert_one_line_error(run_cli("papers", "--db", str(store)), "newer pithtui")
    assert dump(store) == before


def test_a_directory_as_the_store(run_cli, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("db", "info", "--db", str(tmp_path)), "is a directory")


@pytest.mark.parametrize(
    "url", ["nosuchdb://somewhere/x", "postgresql+psycopg://nobody@127.0.0.1:1/none", "mysql://x@localhost/db"]
)
def test_a_database_url_that_cannot_be_used(run_cli, url: str) -> None:
    assert_one_line_error(run_cli("papers", "--db", url))


def test_an_output_file_that_cannot_be_written(run_cli, seeded: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("show", SAMPLE_REF, "-o", str(tmp_path / "missing" / "hub.json"), "--format", "json"))


# --------------------------------------------------------------------------- permissions and locks


def test_a_read_only_folder_for_a_new_store(run_cli, tmp_path: Path) -> None:
    prefix = unprivileged()
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run_cli("db", "init", str(folder / "new.db"), prefix=prefix)
        assert_one_line_error(done, "not writable")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_read_only_store_that_must_be_written(run_cli, cli_env) -> None:
    """The default store exists but is empty, so pithtui wants to seed it; it is read-only."""
    prefix = unprivileged()
    store = default_store(cli_env)
    store.parent.mkdir(parents=True)
    make_store(store, sample=False)
    store.chmod(0o444)
    store.parent.chmod(0o555)
    try:
        before = store.read_bytes()
        assert_one_line_error(run_cli("show", SAMPLE_REF, prefix=prefix), str(store))
        assert store.read_bytes() == before
        assert sorted(p.name for p in store.parent.iterdir()) == ["pithtui.db"]
    finally:
        store.parent.chmod(0o755)
        store.chmod(0o644)


def test_a_read_only_store_can_still_be_read(run_cli, tmp_path: Path) -> None:
    prefix = unprivileged()
    folder = tmp_path / "shared-folder"
    folder.mkdir()
    store = folder / "store.db"
    make_store(store)
    store.chmod(0o444)
    try:
        before = store.read_bytes()
        done = run_cli("show", SAMPLE_REF, "--db", str(store), "--format", "json", prefix=prefix)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["citing_count"] == 8
        assert store.read_bytes() == before
    finally:
        store.chmod(0o644)


def _hold_exclusive_lock(path: Path, *, wal: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode={'WAL' if wal else 'DELETE'}")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO meta (key, value) VALUES ('held', 'by another program')")
    return conn


def test_a_locked_store(run_cli, cli_env, tmp_path: Path) -> None:
    store = tmp_path / "busy.db"
    make_store(store)
    before = dump(store)
    holder = _hold_exclusive_lock(store, wal=False)
    try:
        env = {**cli_env, "PITHTUI_BUSY_TIMEOUT_MS": "100"}
        assert_one_line_error(run_cli("show", SAMPLE_REF, "--db", str(store), env=env), "locked")
    finally:
        holder.rollback()
        holder.close()
    assert dump(store) == before


def test_seeding_a_store_another_program_is_writing(run_cli, cli_env) -> None:
    store = default_store(cli_env)
    store.parent.mkdir(parents=True)
    make_store(store, sample=False)
    before = dump(store)
    holder = _hold_exclusive_lock(store, wal=True)
    try:
        env = {**cli_env, "PITHTUI_BUSY_TIMEOUT_MS": "100"}
        assert_one_line_error(run_cli("show", SAMPLE_REF, env=env), "locked")
    finally:
        holder.rollback()
        holder.close()
    assert dump(store) == before
    # Once the other program is done, the same command seeds the store and shows the hub.
    assert run_cli("show", SAMPLE_REF).returncode == 0


HOSTILE = "\x1b[2J\x1b[31mRed\x1b]0;pwned\x07 title\u202e\u2066 reversed\x9b1m\x00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_never_reaches_the_terminal_as_control_codes(run_cli, tmp_path: Path, fmt: str) -> None:
    from pithtui.models import Citation, Paper

    store = tmp_path / "hostile.db"
    repo = open_repository(str(store))
    hub = Paper(title="Hub " + HOSTILE, arxiv_id="2301.00001", abstract="Abstract " + HOSTILE)
    citing = Paper(
        title="Citing " + HOSTILE, arxiv_id="2402.00001", summary=HOSTILE, category="cs." + HOSTILE, authors=(HOSTILE,)
    )
    repo.upsert([Citation(citing=citing, cited=hub, roles=("role" + HOSTILE,), polarity="p" + HOSTILE, contexts=(HOSTILE,))])
    repo.close()
    done = run_cli("show", "2301.00001", "--db", str(store), "--format", fmt)
    assert done.returncode == 0, done.stderr
    unsafe = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    assert not unsafe.findall(done.stdout), fmt
    assert "Red" in done.stdout and "reversed" in done.stdout
    if fmt == "json":  # escaped, not lost: the export still reads back as the same text
        assert json.loads(done.stdout)["citing"][0]["title"] == citing.title
    listing = run_cli("papers", "--db", str(store), "--format", "json")
    assert not unsafe.findall(listing.stdout)
    assert {p["title"] for p in json.loads(listing.stdout)} == {hub.title, citing.title}


# --------------------------------------------------------------------------- faults of the shell around it


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://alice:S3cretPW@127.0.0.1:notaport/db", "postgresql+psycopg://alice:S3cretPW@[::1/db"]
)
def test_a_url_that_does_not_parse_is_one_line_with_the_password_masked(run_cli, url: str) -> None:
    for args in (("db", "info", "--db", url), ("--db", url)):  # a command, and the app
        done = run_cli(*args)
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert "not a database URL" in done.stderr and "S3cretPW" not in done.stderr and "alice:***@" in done.stderr


@pytest.mark.parametrize(
    "args", [("show", "\udcff"), ("show", SAMPLE_REF, "--category", "\udcff"), ("import", "-", "--hub", "\udcff")]
)
def test_an_argument_that_is_not_utf8_is_one_line(cli_env, tmp_path: Path, args: tuple[str, ...]) -> None:
    raw = [arg.encode("utf-8", "surrogateescape") for arg in args]
    done = subprocess.run(
        [sys.executable, "-m", "pithtui", *raw], capture_output=True, env=cli_env, cwd=tmp_path, timeout=120, check=False
    )
    assert done.returncode == 1
    assert done.stderr == b"pithtui: error: the argument '\\\\xff' is not valid UTF-8 text\n"


def test_a_full_disk_on_standard_output_is_one_line(cli_env, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "pithtui", "show", SAMPLE_REF], stdout=full, stderr=subprocess.PIPE,
                              env=cli_env, cwd=tmp_path, timeout=120, check=False, text=True)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == "pithtui: error: cannot write the output: No space left on device\n"


def test_a_reader_that_goes_away_ends_it_quietly(cli_env, tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "pithtui", "show", SAMPLE_REF, "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env, cwd=tmp_path)  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    assert proc.wait(timeout=120) == 0
    assert proc.stderr.read() == b""


def _formula_hub(run_cli, tmp_path: Path) -> str:
    page = {"offset": 0, "data": [{"citingPaper": {"paperId": f"{n:040x}", "title": title}} for n, title in enumerate(
        ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTabbed", "Plain title"])]}  # fmt: skip
    path = tmp_path / "formulas.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    assert run_cli("import", str(path), "--hub", "1706.03762").returncode == 0
    return "1706.03762"


def test_csv_cells_that_start_like_formulas_are_kept_from_running(run_cli, tmp_path: Path) -> None:
    hub = _formula_hub(run_cli, tmp_path)
    rows = list(csv.DictReader(io.StringIO(run_cli("show", hub, "--format", "csv").stdout)))
    titles = sorted(row["title"] for row in rows)
    assert '\'=HYPERLINK("http://x.example","click")' in titles and "Plain title" in titles
    assert all(not title.startswith(("=", "+", "-", "@", "\t", "\r")) for title in titles)
    raw = list(csv.DictReader(io.StringIO(run_cli("show", hub, "--format", "csv", "--raw-csv").stdout)))
    assert '=HYPERLINK("http://x.example","click")' in [row["title"] for row in raw]


def test_output_to_a_fifo_or_through_a_symlink_writes_there_and_replaces_nothing(run_cli, tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    done = run_cli("show", SAMPLE_REF, "--format", "csv", "-o", str(fifo))
    reader.join(30)
    assert done.returncode == 0, done.stderr
    assert got and got[0].startswith("title,")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not a file put in its place
    target = tmp_path / "real.csv"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert run_cli("show", SAMPLE_REF, "--format", "csv", "-o", str(link)).returncode == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("title,")
    folder = tmp_path / "folder"
    folder.mkdir()
    refused = run_cli("show", SAMPLE_REF, "-o", str(folder))
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and folder.is_dir()


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg//alice:S3cretPW@host/db", "://alice:S3cretPW!@host/db", "alice:S3cretPW@host/db"]
)
def test_a_mistyped_url_is_refused_not_taken_for_a_path_and_its_password_masked(run_cli, tmp_path: Path, url: str) -> None:
    for args in (("db", "info", "--db", url), ("import", str(tmp_path / "none.json"), "--db", url)):
        done = run_cli(*args)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert "not a database URL" in done.stderr and "S3cretPW" not in done.stderr and ":***@" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg-data") == []  # no folder named after it


def test_a_path_where_no_store_is_is_not_made_a_store_by_reading_it(run_cli, tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "store.db"
    for args in (("db", "info"), ("show", SAMPLE_REF), ("papers",), ("classify", "--all")):
        done = run_cli(*args, "--db", str(missing))
        assert done.returncode == 1, done.stderr
        assert (
            done.stderr
            == f"pithtui: error: no store at {missing} (pithtui import or fetch makes one there, or pithtui db init {missing})\n"
        )
    assert not missing.parent.exists()
    made = run_cli("db", "init", str(missing))
    assert made.returncode == 0 and "citations: 0" in made.stdout
    assert run_cli("db", "info", "--db", str(missing)).returncode == 0


def test_a_password_never_shows(run_cli, postgres_server) -> None:
    """db path, db info and every error name a store by its URL with the password as ***."""
    url = postgres_server.create_database().replace("postgres@", "postgres:Secr3tPW@")
    for args in (("db", "path"), ("db", "info"), ("show", "no such paper")):
        done = run_cli(*args, "--db", url)
        assert "Secr3tPW" not in done.stdout + done.stderr, args
    assert ":***@" in run_cli("db", "path", "--db", url).stdout
