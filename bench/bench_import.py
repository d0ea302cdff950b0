"""How fast does ``pithtui import`` store a big hub? Prints citations per second.

Generates a Semantic Scholar document (the hub paper object, then citations pages of
``citingPaper`` edges with contexts, intents and the usual paper fields) for each size, writes
it to a temporary file and imports it into a fresh SQLite store through the real import path
(read → detect → parse → screen → one upsert). Then imports the same file again (the
idempotent re-import, which must change nothing) and reports both, each as the total rate and
the time of its two phases: reading and parsing the file, then storing the records (screening
them and the one upsert). The machine's load average is printed beside them.

    python -m bench.bench_import                 # 3,000 and 50,000 citing papers
    python -m bench.bench_import --sizes 1000 200000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

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
        "externalIds": {"CorpusId": 10_000_000 + n, "DOI": f"10.5555/bench.{n}", **({"ArXiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{n % 100000:05d}"} if n % 3 == 0 else {})},
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
                contexts = [f"As shown in [{rng.randint(1, 40)}], {' '.join(rng.choice(WORDS) for _ in range(12))}." for _ in range(rng.randint(0, 3))]
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


def run(citing: int, folder: Path) -> None:
    source = folder / f"hub-{citing}.jsonl"
    write_hub(source, citing)
    repo = open_repository(f"sqlite:///{folder / f'bench-{citing}.db'}")
    for label in ("first import", "re-import"):
        with bulk():  # the steps of importer.import_path, timed one by one
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
