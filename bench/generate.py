"""A seeded generator of synthetic citation hubs, written through pithtui's own import path.

Realistic spreads: titles of 6-16 words and one-line summaries of 20-40 words drawn from a
research vocabulary, a few dominant arXiv categories and a long tail, verdicts mostly
UNVERDICTED, novelty mostly present, roles on about half the citations (some with two),
polarity classified for about 70%. Other hubs go in the same store so the hub filter works.

    python -m bench.generate --db /tmp/hub.db --citing 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Iterator

from pithtui.models import Citation, Paper
from pithtui.store import HubRepository, open_repository

WORDS = (
    "model collapse training generated data language learning diffusion synthetic recursive "
    "distribution tails variance estimation neural network transformer attention scaling law "
    "benchmark evaluation robustness alignment reward reinforcement policy gradient optimisation "
    "retrieval augmented reasoning chain thought verifier curriculum distillation teacher student "
    "contrastive representation embedding tokenizer corpus web scale filtering deduplication "
    "quality diversity entropy mode memorisation privacy watermark detection human feedback"
).split()
CATEGORIES = ["cs.LG"] * 30 + ["cs.CL"] * 30 + ["cs.AI"] * 12 + ["stat.ML"] * 8 + [
    "cs.CV", "cs.CR", "cs.IR", "math.ST", "cs.NE", "q-bio.NC", "econ.GN", "physics.soc-ph",
]
VERDICTS = ["UNVERDICTED"] * 85 + ["SOUND"] * 8 + ["FLAWED"] * 4 + ["RETRACTED"]
ROLES = ["background", "baseline", "method", "dataset", "comparison", "extension"]
POLARITIES = [None] * 30 + ["supporting"] * 40 + ["neutral"] * 20 + ["contrasting"] * 10


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def synthetic_hub(hub_index: int, citing: int, seed: int = 7) -> Iterator[Paper | Citation]:
    """The hub paper ``hub_index`` and ``citing`` citations to it, reproducibly."""
    rng = random.Random(seed * 1_000_003 + hub_index)
    hub = Paper(
        title=f"Hub {hub_index}: {_sentence(rng, 6, 12)}",
        arxiv_id=f"2301.{hub_index:05d}",
        category="cs.LG",
        date=dt.date(2023, 1, 1),
        abstract=_sentence(rng, 120, 200) + ".",
        cited_by_reported=citing,
    )
    yield hub
    start = dt.date(2015, 1, 1).toordinal()
    for n in range(citing):
        novelty = None if rng.random() < 0.1 else round(rng.uniform(1, 9) * 2) / 2
        roles: tuple[str, ...] = ()
        if rng.random() < 0.5:
            roles = tuple(sorted(set(rng.sample(ROLES, rng.choice((1, 1, 1, 2))))))
        paper = Paper(
            title=_sentence(rng, 6, 16),
            arxiv_id=f"{hub_index + 10:02d}{n // 100000:02d}.{n % 100000:05d}",
            authors=tuple(f"Author {rng.randint(1, 50000)}" for _ in range(rng.randint(1, 6))),
            date=dt.date.fromordinal(start + rng.randint(0, 4000)),
            category=rng.choice(CATEGORIES),
            verdict=rng.choice(VERDICTS),
            novelty=novelty,
            summary=_sentence(rng, 20, 40) + ".",
        )
        yield Citation(
            citing=paper,
            cited=hub,
            roles=roles,
            polarity=rng.choice(POLARITIES),
            influential=rng.random() < 0.05,
            contexts=(_sentence(rng, 15, 30) + ".",) if rng.random() < 0.3 else (),
            source="synthetic",
        )


def fill(repo: HubRepository, citing: int, *, other_hubs: int = 3, other_size: int = 2000, batch: int = 20000) -> float:
    """Store the main hub (index 0) with ``citing`` citations plus ``other_hubs`` smaller hubs;
    returns the import rate in citations per second."""
    started = time.perf_counter()
    total = 0
    for hub_index, size in [(0, citing)] + [(i, other_size) for i in range(1, other_hubs + 1)]:
        chunk: list[Paper | Citation] = []
        for record in synthetic_hub(hub_index, size):
            chunk.append(record)
            if len(chunk) >= batch:
                repo.upsert(chunk)
                total += len(chunk)
                chunk = [chunk[0]] if isinstance(chunk[0], Paper) else []
        if chunk:
            repo.upsert(chunk)
            total += len(chunk)
    return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--citing", type=int, default=100_000)
    args = parser.parse_args()
    repo = open_repository(args.db)
    rate = fill(repo, args.citing)
    print(f"imported at {rate:,.0f} records/s; store: {repo.info()}")


if __name__ == "__main__":
    main()
