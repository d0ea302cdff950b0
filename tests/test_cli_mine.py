"""``pithtui mark``, ``show``'s filters on your own layer, and ``pithtui mine``, as a script
runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_cli import make_store

from pithtui.sources.sample import SAMPLE_REF

TITLE = "Annotations Mitigate Post-Training Mode Collapse"
OTHER = "Base Models Look Human To AI Detectors"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    make_store(path)
    return str(path)


def citing(run_cli, db: str, *args: str) -> list[dict]:
    done = run_cli("show", SAMPLE_REF, "--db", db, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["citing"]


def test_marks_are_kept_and_shown_filtered_and_exported(run_cli, db: str) -> None:
    done = run_cli("mark", TITLE, "--db", db, "--star", "--note", "Line one\n[bold]not markup[/]", "--verdict", "Useful")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{TITLE}: ★ starred · unread · your verdict: useful · note: Line one")
    assert run_cli("mark", OTHER, "--db", db, "--read").returncode == 0
    [starred] = citing(run_cli, db, "--starred")
    assert starred["title"] == TITLE
    assert {k: starred["mine"][k] for k in ("starred", "read", "note", "verdict")} == {
        "starred": True, "read": False, "note": "Line one\n[bold]not markup[/]", "verdict": "useful",
    }  # fmt: skip
    assert starred["mine"]["changed_at"]
    every = citing(run_cli, db)
    unread = citing(run_cli, db, "--unread")
    assert len(unread) == len(every) - 1 and OTHER not in {row["title"] for row in unread}
    assert [row["title"] for row in citing(run_cli, db, "--noted")] == [TITLE]
    assert [row["title"] for row in citing(run_cli, db, "--my-verdict", "useful")] == [TITLE]
    csv_out = run_cli("show", SAMPLE_REF, "--db", db, "--format", "csv", "--starred").stdout.splitlines()
    assert csv_out[0].endswith("starred,read,my_verdict,note") and ",yes,,useful," in csv_out[1]
    bib = run_cli("show", SAMPLE_REF, "--db", db, "--format", "bibtex", "--starred").stdout
    assert "keywords = {starred, useful}" in bib and "annote = {Line one" in bib
    cleared = run_cli("mark", TITLE, "--db", db, "--unstar", "--clear-note", "--clear-verdict")
    assert cleared.stdout.strip() == f"{TITLE}: not starred · unread"
    assert citing(run_cli, db, "--starred") == []


def test_a_json_export_read_back_by_import_never_takes_marks_for_a_sources(run_cli, db: str, tmp_path: Path) -> None:
    run_cli("mark", TITLE, "--db", db, "--star")
    exported = run_cli("show", SAMPLE_REF, "--db", db, "--format", "json", "-o", str(tmp_path / "hub.json"))
    assert exported.returncode == 0, exported.stderr
    other = tmp_path / "other.db"
    make_store(other, sample=False)
    assert run_cli("import", str(tmp_path / "hub.json"), "--db", str(other)).returncode == 0
    assert citing(run_cli, str(other), "--starred") == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("mark", "9999.99999", "--star"), "no paper in the store matches '9999.99999'"),
        (
            ("mark", TITLE, "--verdict", "brilliant"),
            "'brilliant' is not one of your verdicts (must-read, useful, disagree, irrelevant",
        ),
        (("mark", TITLE, "--note-file", "missing.txt"), "cannot read missing.txt"),
        (("show", SAMPLE_REF, "--my-verdict", "brilliant"), "'brilliant' is not one of your verdicts"),
        (("mark", TITLE, "--star", "--unstar"), "not allowed with argument"),
    ],
)
def test_bad_marks_are_one_line_and_change_nothing(run_cli, db: str, args: tuple[str, ...], says: str) -> None:
    before = run_cli("mine", "export", "-", "--db", db).stdout
    done = run_cli(*args, "--db", db)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert says in line, line
    assert run_cli("mine", "export", "-", "--db", db).stdout == before


def test_a_note_longer_than_a_mebibyte_is_refused_and_one_just_under_is_kept(run_cli, db: str, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * (1 << 20) + "y")
    done = run_cli("mark", TITLE, "--db", db, "--note-file", str(big))
    assert done.returncode == 1 and "longer than 1,048,576 bytes" in done.stderr
    big.write_text("\x1b[2J" + "x" * ((1 << 20) - 10))
    kept = run_cli("mark", TITLE, "--db", db, "--note-file", str(big))
    assert kept.returncode == 0 and "\x1b" not in kept.stdout
    [row] = citing(run_cli, db, "--noted")
    assert len(row["mine"]["note"]) == (1 << 20) - 6


def test_your_verdicts_come_from_the_settings_and_a_bad_file_is_one_warning(
    run_cli, db: str, cli_env: dict, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('verdicts = ["replicate", "useful"]\nsort = "title"\n')
    env = {**cli_env, "PITHTUI_CONFIG": str(config)}
    assert run_cli("mark", TITLE, "--db", db, "--verdict", "replicate", env=env).returncode == 0
    assert (
        "'must-read' is not one of your verdicts (replicate, useful"
        in run_cli("mark", TITLE, "--db", db, "--verdict", "must-read", env=env).stderr
    )
    titles = [
        row["title"] for row in json.loads(run_cli("show", SAMPLE_REF, "--db", db, "--format", "json", env=env).stdout)["citing"]
    ]
    assert titles == sorted(titles, key=str.casefold, reverse=True)  # the settings' sort, descending
    config.write_text("verdicts = [\n")
    broken = run_cli("show", SAMPLE_REF, "--db", db, "--limit", "1", env=env)
    assert broken.returncode == 0
    [warning] = broken.stderr.splitlines()
    assert warning.startswith("pithtui: warning: ") and str(config.name) in warning and "not valid TOML" in warning


def test_a_layer_moves_to_another_store_through_a_file(run_cli, db: str, tmp_path: Path) -> None:
    run_cli("mark", TITLE, "--db", db, "--star", "--note", "why it matters")
    layer = tmp_path / "layer.json"
    done = run_cli("mine", "export", str(layer), "--db", db)
    assert done.returncode == 0 and "1 marked papers" in done.stderr
    other = tmp_path / "other.db"
    make_store(other)
    merged = run_cli("mine", "import", str(layer), "--db", str(other))
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.startswith("merged 1 marked papers and 0 saved views")
    [row] = citing(run_cli, str(other), "--starred")
    assert row["mine"]["note"] == "why it matters"
    (tmp_path / "bad.json").write_text('{"format": "pithtui-mine", "version": 1, "marks": [{"paper": {}}]}')
    bad = run_cli("mine", "import", str(tmp_path / "bad.json"), "--db", str(other))
    assert bad.returncode == 1
    [line] = bad.stderr.splitlines()
    assert "bad.json: marks[0].paper: a paper needs a title or an identifier; nothing was changed" in line


def test_a_read_only_store_refuses_a_mark_in_one_line(run_cli, db: str) -> None:
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # root writes whatever the file's mode: drop that right
        probe = (
            subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False) if shutil.which("unshare") else None
        )
        if probe is None or probe.returncode != 0:
            pytest.skip("running as root and cannot drop the right to override file permissions (unshare --user)")
        prefix = ("unshare", "--user")
    Path(db).chmod(0o444)
    try:
        before = Path(db).read_bytes()
        done = run_cli("mark", TITLE, "--db", db, "--star", prefix=prefix)
        assert done.returncode == 1
        [line] = done.stderr.splitlines()
        assert "read-only" in line and "nothing was written" in line, line
        assert run_cli("show", SAMPLE_REF, "--db", db, "--limit", "1", prefix=prefix).returncode == 0
        assert Path(db).read_bytes() == before
    finally:
        Path(db).chmod(0o644)
