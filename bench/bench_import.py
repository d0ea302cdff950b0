"""How fast does ``pithtui import`` store a big hub? Prints citations per second.

Generates a Semantic Scholar document (the hub paper object, then citations pages of
``citingPaper`` edges with contexts, intents and the usual paper fields) for each size, writes
it to a temporary file and imports it into a fresh SQLite store through the real import path
(read → detect → parse → screen → one upsert). Then imports the same file again (the
idempotent re-import, which must change nothing) and reports both, each as the total rate and
the time of its two phases: reading and parsing the file, then storing the records (screening
them and the one upsert). The machine's load average is printed beside them.

Beside them, the floor of the first import: the JSON of the file decoded alone (``json.loads``
of each line), plus every statement the import sent (captured as SQLAlchemy hands them to the
driver: the same SQL, the same parameters) replayed through plain ``sqlite3`` into a copy of
the store as it was before, with its commit; as the rate that would leave no time at all to
the Python between them.

    python -m bench.bench_import                 # 3,000 and 50,000 citing papers
    python -m bench.bench_import --sizes 1000 200000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from pithtui.sources import formats
from pithtui.sources.importer import bulk, read, store
from pithtui.store import open_repository

PAGE = 1000
INTENTS = ("background", "methodology", "result")
FIELDS = ("Computer Science", "Mathematics", "Physics", "Biology", "Economics")
WORDS = "model collapse data training generated language diffusion synthetic recursion tails variance".split()


def _paper(rng: random.Random, n: int) -> dict:
    year = rng.randint(2015, 2026)
    return {
        "paperId": f"{n:040x}",
        "externalIds": {
            "CorpusId": 10_000_000 + n,
            "DOI": f"10.5555/bench.{n}",
            **({"ArXiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{n % 100000:05d}"} if n % 3 == 0 else {}),
        },
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize(),
        "abstract": " ".join(rng.choice(WORDS) for _ in range(60)),
        "venue": rng.choice(("NeurIPS", "ICML", "arXiv.org", "")),
        "year": year,
        "publicationDate": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "authors": [{"authorId": str(n * 10 + i), "name": f"Author {n * 10 + i}"} for i in range(rng.randint(1, 5))],
        "fieldsOfStudy": [rng.choice(FIELDS)],
        "s2FieldsOfStudy": [{"category": rng.choice(FIELDS), "source": "s2-fos-model"}],
        "citationCount": rng.randint(0, 500),
    }


def write_hub(path: Path, citing: int, seed: int = 7) -> None:
    """A hub paper object and ``citing`` citation edges, as JSON Lines of pages."""
    rng = random.Random(seed)
    hub = {"paperId": "f" * 40, "externalIds": {"ArXiv": "2305.17493"}, "title": "The hub", "citationCount": citing}
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(hub) + "\n")
        for offset in range(0, citing, PAGE):
            data = []
            for n in range(offset, min(offset + PAGE, citing)):
                intents = rng.sample(INTENTS, rng.randint(0, 2))
                contexts = [
                    f"As shown in [{rng.randint(1, 40)}], {' '.join(rng.choice(WORDS) for _ in range(12))}."
                    for _ in range(rng.randint(0, 3))
                ]
                data.append(
                    {
                        "isInfluential": rng.random() < 0.1,
                        "intents": intents,
                        "contexts": contexts,
                        "contextsWithIntent": [{"context": c, "intents": intents} for c in contexts],
                        "citingPaper": _paper(rng, n),
                    }
                )
            page = {"offset": offset, "next": offset + PAGE if offset + PAGE < citing else None, "data": data}
            out.write(json.dumps(page) + "\n")


Statement = tuple[str, Any, bool]
"""SQL as sent to the driver, its parameters, and whether it went by ``executemany``."""


@contextmanager
def sent(engine: Engine) -> Iterator[list[Statement]]:
    """Every statement ``engine`` sends to its driver meanwhile."""
    statements: list[Statement] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters, executemany))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def json_seconds(source: Path) -> float:
    """Decoding the file's JSON Lines, and nothing else."""
    lines = source.read_bytes().splitlines()
    started = time.perf_counter()
    for line in lines:
        json.loads(line)
    return time.perf_counter() - started


def sql_seconds(store: Path, statements: list[Statement]) -> float:
    """``statements`` (one transaction, begun by the first) through plain sqlite3 on ``store``,
    then its commit, as the repository's connections are set up (WAL, synchronous NORMAL)."""
    conn = sqlite3.connect(store, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    for statement, parameters, many in statements:
        (conn.executemany if many else conn.execute)(statement, parameters)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def run(citing: int, folder: Path) -> None:
    source = folder / f"hub-{citing}.jsonl"
    write_hub(source, citing)
    db = folder / f"bench-{citing}.db"
    open_repository(f"sqlite:///{db}").close()  # the schema, and nothing else
    before = folder / f"before-{citing}.db"
    shutil.copyfile(db, before)
    repo = open_repository(f"sqlite:///{db}")
    for label in ("first import", "re-import"):
        with bulk(), sent(repo.engine) as statements:  # the steps of importer.import_path, timed one by one
            started = time.perf_counter()
            doc = read(str(source))
            _, records = formats.parse(doc, formats.AUTO)
            parsed = time.perf_counter()
            r = store(repo, doc.name, records)
            stored = time.perf_counter()
        seconds = stored - started
        load = os.getloadavg()[0]
        print(
            f"{citing:>8} citing  {label:12}  {seconds:7.2f} s  {citing / seconds:>9,.0f} citations/s  "
            f"(read+parse {parsed - started:5.2f} s, store {stored - parsed:5.2f} s; load {load:.1f})  "
            f"(+{r.citations_added} ~{r.citations_updated} citations, +{r.papers_added} ~{r.papers_updated} papers)"
        )
        if label == "first import":
            with bulk():  # as the import decodes it: no collector passes over what it makes
                decoding = json_seconds(source)
            sql = sql_seconds(before, statements)
            floor = decoding + sql
            print(
                f"{citing:>8} citing  {'floor':12}  {floor:7.2f} s  {citing / floor:>9,.0f} citations/s  "
                f"(its JSON alone {decoding:5.2f} s, its SQL through sqlite3 {sql:5.2f} s): pithtui at {floor / seconds:.2f}× the floor"
            )
    repo.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 50_000], help="citing papers per hub")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pithtui-bench-") as folder:
        for size in args.sizes:
            run(size, Path(folder))


if __name__ == "__main__":
    main()
