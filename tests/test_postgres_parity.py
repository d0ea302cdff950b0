"""The same imports give the same answers on SQLite and on PostgreSQL, to the byte.

Both stores receive the sample hub plus generated citing papers (ties in every sort key,
mixed case, accents, missing values, several roles, unclassified polarities, a second hub),
then ``pithtui show … --format json`` and ``pithtui papers --format json`` must print exactly
the same thing whichever store answers.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from pithtui.cli import main
from pithtui.models import Citation, Paper
from pithtui.sources.sample import SAMPLE_REF, load_sample_hub
from pithtui.store import open_repository

WORDS = ["model", "Collapse", "data", "Synthetic", "école", "Straße", "GPT-4", "recursion", "Ωmega", "1.5B", "self-training"]
CATEGORIES = [None, "cs.LG", "cs.CL", "stat.ML", "Cs.AI", "éco.X", "cs.lg"]
VERDICTS = ["UNVERDICTED", "SOUND", "FLAWED", "Minor", "élite"]
ROLES = ["background", "baseline", "Method", "method", "data", "Évaluation"]
POLARITIES = [None, None, "supporting", "contrasting", "Neutral", "Ärger"]


def generated_records(seed: int = 20260526, count: int = 120) -> list[Paper | Citation]:
    rng = random.Random(seed)
    sample = load_sample_hub()
    hub = sample[0]
    second = Paper(title="A Second Hub", arxiv_id="2301.99999", category="cs.CL")
    records: list[Paper | Citation] = [*sample, second]
    for i in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        paper = Paper(
            title=title if rng.random() < 0.8 else title.upper(),
            arxiv_id=f"2405.{i:05d}",
            date=rng.choice([None, dt.date(2024, 1, 1), dt.date(2025, 6, 30), dt.date(2026, 5, 19)])
            if rng.random() < 0.5
            else dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2500)),
            category=rng.choice(CATEGORIES),
            verdict=rng.choice(VERDICTS),
            novelty=rng.choice([None, 5.0, 6.5, 7.0, round(rng.uniform(0, 10), 3)]),
            summary=rng.choice([None, " ".join(rng.choice(WORDS) for _ in range(6))]),
            authors=tuple(rng.sample(["Ada Lovelace", "Émile Borel", "Grace Hopper"], rng.randint(0, 2))),
        )
        for target in (hub, second) if rng.random() < 0.3 else (hub,):
            records.append(
                Citation(
                    citing=paper,
                    cited=target,
                    roles=tuple(rng.sample(ROLES, rng.randint(0, 3))),
                    polarity=rng.choice(POLARITIES),
                    influential=rng.random() < 0.2,
                    representative=rng.random() < 0.05,
                    contexts=tuple(rng.sample(WORDS, rng.randint(0, 2))),
                    source="generated",
                )
            )
    return records


@pytest.fixture(scope="module")
def stores(postgres_server, tmp_path_factory: pytest.TempPathFactory):
    """The same records in a SQLite file and in a PostgreSQL database: (sqlite URL, pg URL)."""
    records = generated_records()
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'store.db'}"
    pg_url = postgres_server.create_database()
    for url in (sqlite_url, pg_url):
        repo = open_repository(url)
        repo.upsert(records)
        repo.close()
    yield sqlite_url, pg_url
    postgres_server.drop_database(pg_url)


def _show_json(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> str:
    assert main([*args, "--db", url, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_show_json_is_identical_end_to_end(stores, cli_env: dict[str, str], tmp_path: Path) -> None:
    outputs = []
    for url in stores:
        done = subprocess.run(
            [sys.executable, "-m", "pithtui", "show", SAMPLE_REF, "--db", url, "--format", "json"],
            capture_output=True, text=True, encoding="utf-8", env=cli_env, cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    stored = [r for r in generated_records() if isinstance(r, Citation) and r.cited.arxiv_id == SAMPLE_REF]
    data = json.loads(outputs[0])
    assert data["citing_count"] == data["matched"] == len(data["citing"]) == len(stored)


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--sort", "title", "--asc"),
        ("--sort", "title"),
        ("--sort", "category", "--asc"),
        ("--sort", "verdict"),
        ("--sort", "polarity", "--asc"),
        ("--sort", "novelty"),
        ("--sort", "date", "--asc"),
        ("--search", "ecole"),
        ("--search", "gpt-4 model"),
        ("--search", "Straße coll"),
        ("--role", "Method", "--polarity", "unclassified"),
        ("--role", "method", "--role", "data", "--verdict", "élite"),
        ("--since", "2024", "--until", "2026-05"),
        ("--since", "2021-03-15", "--min-novelty", "6.5"),
        ("--category", "cs.LG", "--category", "éco.X", "--sort", "title"),
        ("--limit", "7", "--sort", "novelty", "--asc"),
    ],
)
def test_show_json_is_identical_for_every_filter_and_sort(stores, capsys, args: tuple[str, ...]) -> None:
    sqlite_url, pg_url = stores
    on_sqlite = _show_json(capsys, sqlite_url, "show", SAMPLE_REF, *args)
    on_postgres = _show_json(capsys, pg_url, "show", SAMPLE_REF, *args)
    assert on_sqlite == on_postgres


def test_every_hub_and_the_paper_list_are_identical(stores, capsys) -> None:
    sqlite_url, pg_url = stores
    assert _show_json(capsys, sqlite_url, "papers") == _show_json(capsys, pg_url, "papers")
    assert _show_json(capsys, sqlite_url, "papers", "--search", "synthetic data") == _show_json(
        capsys, pg_url, "papers", "--search", "synthetic data"
    )
    assert _show_json(capsys, sqlite_url, "show", "2301.99999") == _show_json(capsys, pg_url, "show", "2301.99999")
