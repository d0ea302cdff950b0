"""``pithtui import``, ``fetch`` and ``show --new-since`` run as a user runs them: a
subprocess, a store of the test's own, one line per problem, exit status 1, and the store
unchanged by whatever failed. Stores are seeded and inspected in-process (the same JSON
``pithtui show --format json`` writes), so each test starts only the commands it checks."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from sources_support import run_pithtui

from pithtui.export import build_report, write_json
from pithtui.sources.sample import load_sample_hub
from pithtui.store import open_repository

SAMPLE = str(resources.files("pithtui.data").joinpath("sample_hub.json"))
HUB = "2305.17493"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store holding the sample hub."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    repo = open_repository(url)
    repo.upsert(load_sample_hub())
    repo.close()
    return url


def _hub_json(url: str) -> dict:
    """What ``pithtui show HUB --format json`` prints for the store at ``url``."""
    repo = open_repository(url)
    out = io.StringIO()
    write_json(build_report(repo, repo.resolve(HUB).id), out)
    repo.close()
    return json.loads(out.getvalue())


def _unordered(hub: dict) -> dict:
    by_title = lambda rows: sorted(rows, key=lambda row: row["title"])
    return {**hub, "citing": by_title(hub["citing"]), "representatives": by_title(hub["representatives"])}


def test_pithtui_json_round_trip_gives_the_same_hub(tmp_path: Path, db: str) -> None:
    exported = tmp_path / "hub.json"
    assert run_pithtui("show", HUB, "--db", db, "--format", "json", "-o", str(exported)).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    done = run_pithtui("import", str(exported), "--db", other)
    assert done.returncode == 0, done.stderr
    assert "[pithtui]" in done.stdout
    # The same hub: header, facets, counts and every citing paper with how it cites; papers of
    # one date may list in another order, since ties go by store id, which is the store's own.
    assert _unordered(_hub_json(other)) == _unordered(json.loads(exported.read_text(encoding="utf-8")))


def test_several_files_each_their_own_transaction(tmp_path: Path, db: str, shared_data: Path) -> None:
    before = _hub_json(db)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(json.dumps({"offset": 0, "data": [{"citingPaper": {"paperId": "a" * 40, "title": "A"}}]})[:-20])
    good = shared_data / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json"
    done = run_pithtui("import", str(truncated), str(good), "--db", db, "--hub", HUB)

    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("pithtui: error:")]
    assert len(errors) == 1 and "truncated.json: not valid JSON" in errors[0] and "truncated?" in errors[0]
    assert "1 of 2 files failed" in done.stderr
    assert f"{good} [arxiv]: 1 paper added" in done.stdout
    assert _hub_json(db)["citing_count"] == before["citing_count"] + 1  # the arXiv paper, a citing paper (--hub)


def test_standard_input_and_counted_skips(db: str) -> None:
    edge = {"citingPaper": {"paperId": "b" * 40, "title": "B"}, "intents": ["Result"]}
    lines = "\n".join(json.dumps(v) for v in (edge, edge, {"citingPaper": None})) + "\n"
    done = run_pithtui("import", "-", "--db", db, "--hub", "CorpusId:99", stdin=lines)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<stdin> [s2]: 2 papers added, 0 updated, 1 citation added, 0 updated, 2 skipped")
    assert "skipped <stdin>: line 3: citingPaper is null" in done.stdout
    again = run_pithtui("import", "-", "--db", db, "--hub", "CorpusId:99", stdin=lines)
    assert "(nothing new)" in again.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--format", "yaml"), "{}", "argument --format: invalid choice: 'yaml'"),
        ((), '{"hello": "world"}', "<stdin>: cannot tell the format"),
        (("--format", "openalex"), '{"paperId": "x"}', "<stdin>: not an OpenAlex work"),
        ((), '{"citingPaper": {"paperId": "x"}}', "name the paper with --hub REF"),
        (("--hub", "words nobody wrote"), "{}", "--hub 'words nobody wrote': no paper in the store"),
    ],
)
def test_bad_imports_are_one_line_and_change_nothing(db: str, args: tuple[str, ...], stdin: str, message: str) -> None:
    before = _hub_json(db)
    done = run_pithtui("import", "-", "--db", db, *args, stdin=stdin)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
    assert _hub_json(db) == before


def test_missing_file_is_one_line(db: str, tmp_path: Path) -> None:
    done = run_pithtui("import", str(tmp_path / "nope.json"), "--db", db)
    assert (done.returncode, done.stderr.strip()) == (1, f"pithtui: error: {tmp_path / 'nope.json'}: no such file")


def test_show_new_since(db: str) -> None:
    shown = run_pithtui("show", HUB, "--db", db, "--format", "json", "--new-since", "2000-01-01")
    assert json.loads(shown.stdout)["matched"] == _hub_json(db)["matched"] > 0
    shown = run_pithtui("show", HUB, "--db", db, "--format", "json", "--new-since", "2999-01-01T00:00Z")
    assert json.loads(shown.stdout)["matched"] == 0
    bad = run_pithtui("show", HUB, "--db", db, "--new-since", "last tuesday")
    assert bad.returncode == 1 and "not a date or time" in bad.stderr


def test_fetch_without_network_is_one_line_and_stores_nothing(db: str) -> None:
    before = _hub_json(db)
    # Every request goes to a proxy on a closed local port: the network is, in effect, absent.
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "http_proxy", "all_proxy")}
    env.update(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    done = run_pithtui("fetch", HUB, "--db", db, env=env)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("pithtui: error: cannot reach Semantic Scholar") and "Nothing was stored" in line
    assert _hub_json(db) == before


def test_a_device_or_an_endless_stream_is_refused_and_nothing_stored(run_cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    for args, stdin in ((("import", "/dev/zero"), None), (("import", "-"), "/dev/zero")):
        with open(stdin or os.devnull, "rb") as source:
            done = subprocess.run([sys.executable, "-m", "pithtui", *args], stdin=source, capture_output=True, text=True,
                                  env=cli_env, cwd=tmp_path, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 1 and "not a file or a pipe" in done.stderr and done.stderr.count("\n") == 1
    big = subprocess.run([sys.executable, "-m", "pithtui", "import", "-"], input="[" + " " * 5000 + "]", capture_output=True,
                         text=True, env={**cli_env, "PITHTUI_MAX_IMPORT_BYTES": "4096"}, cwd=tmp_path, timeout=60, check=False)  # fmt: skip
    assert big.returncode == 1 and "larger than 4,096 bytes" in big.stderr
