"""Generated import files and store snapshots for the crash-safety and concurrency tests.

A workload file is what ``pithtui fetch`` would have recorded from Semantic Scholar: one paper
object with its citations embedded (each edge with contexts, intents and influence), so that
``pithtui import FILE`` needs no ``--hub``. A snapshot is everything a user can see of a store:
``db info``'s counts, ``papers`` and ``show --format json`` of every hub, as the CLI prints them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pithtui.export import build_report, write_json
from pithtui.models import Filters, SortKey
from pithtui.sources.pithtui_json import paper_to_dict
from pithtui.store import open_repository

INTENTS = (["background"], ["methodology"], ["result", "background"], [])
FIELDS = (["Computer Science"], ["Mathematics", "Computer Science"], [])
FIRST_DAY = dt.date(1990, 1, 1)


def citing_paper(i: int, *, tag: str = "") -> dict[str, Any]:
    """Semantic Scholar's paper object for generated citing paper ``i``."""
    return {
        "paperId": f"{i:040x}",
        "externalIds": {
            "ArXiv": f"24{i // 100_000 % 100:02d}.{i % 100_000:05d}",
            "DOI": f"10.5555/load.{i}",
            "CorpusId": 9_000_000 + i,
        },
        "title": f"Loadgen citing paper {i} on model collapse{tag}",
        "abstract": f"Abstract of generated paper {i}. " * 4,
        "publicationDate": (FIRST_DAY + dt.timedelta(days=i)).isoformat(),  # no two alike: one order
        "venue": f"Venue {i % 17}",
        "authors": [{"name": f"Author {i}"}, {"name": f"Author {i + 1}"}],
        "fieldsOfStudy": FIELDS[i % 3],
        "citationCount": i % 50,
        "tldr": {"text": f"Summary of paper {i}{tag}."},
    }


def s2_hub_document(count: int, *, start: int = 0, hub: str = "2305.17493", tag: str = "") -> dict[str, Any]:
    """A Semantic Scholar paper object (the hub, arXiv ``hub``) citing papers start…start+count-1."""
    return {
        "paperId": "f" * 40,
        "externalIds": {"ArXiv": hub},
        "title": "The Curse of Recursion: Training on Generated Data Makes Models Forget",
        "citations": [
            {
                "citingPaper": citing_paper(i, tag=tag),
                "contexts": [f"As shown in the hub (context {i})."],
                "intents": INTENTS[i % 4],
                "isInfluential": i % 7 == 0,
            }
            for i in range(start, start + count)
        ],
    }


def write_s2_file(path: Path, count: int, *, start: int = 0, hub: str = "2305.17493", tag: str = "") -> Path:
    path.write_text(json.dumps(s2_hub_document(count, start=start, hub=hub, tag=tag)), encoding="utf-8")
    return path


def snapshot(url: str) -> dict[str, Any]:
    """What a user sees of the store at ``url``: counts, the paper list and every hub's JSON."""
    repo = open_repository(url)
    try:
        info = {k: v for k, v in repo.info().items() if k not in ("database", "backend")}
        listings = repo.list_papers(limit=None)
        hubs = {}
        for item in listings:
            if item.citing_count:
                out = io.StringIO()
                write_json(build_report(repo, item.paper.id, Filters(), SortKey.DATE, True, None), out)
                hubs[item.paper.best_ref] = json.loads(out.getvalue())
        papers = [{**paper_to_dict(item.paper), "citing_count": item.citing_count} for item in listings]
        return {"info": info, "papers": papers, "hubs": hubs}
    finally:
        repo.close()


# --------------------------------------------------------------------------- importers as processes


def start_import(url: str, *paths: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pithtui", "import", *map(str, paths), "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def writer_active(url: str) -> Callable[[], bool]:
    """A probe: is some other program inside a write transaction on the store right now?"""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def probe() -> bool:
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc)
                return True
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
            return False

        return probe
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def probe() -> bool:
        with engine.connect() as conn:
            query = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return conn.execute(text(query)).scalar_one() > 0

    return probe


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> bool:
    """Poll ``condition`` until it holds (True) or ``proc`` has ended (False)."""
    while proc.poll() is None:
        if condition():
            return True
        time.sleep(0.002)
    return False
