"""A seeded generator of synthetic citation hubs, written through pithtui's own import path.

Realistic spreads: titles of 6-16 words and one-line summaries of 20-40 words drawn from a
Zipf-distributed vocabulary (a research head such as "model", "collapse", "training" and a long
tail of rarer words, so some words are in half the papers and most in very few), a few
dominant arXiv categories and a long tail, dates over eleven years, verdicts mostly
UNVERDICTED, novelty mostly present, roles on about half the citations (some with two),
polarity classified for about 70%, contexts on 30%. Other hubs go in the same store so the hub
filter has work to do; a fifth of their citing papers also cite the main hub (the same paper,
merged by its arXiv id), and a last hub of 500 is cited by main-hub papers only (a small hub
in a big store). Every paper is a function of (seed, its number), so a store is the
same whatever the batch size.

    python -m bench.generate --db /tmp/hub.db --citing 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pithtui.models import Citation, Paper
from pithtui.store import HubRepository, open_repository

HEAD = (
    "model collapse training generated data language learning diffusion synthetic recursive "
    "distribution tails variance estimation neural network transformer attention scaling law "
    "benchmark evaluation robustness alignment reward reinforcement policy gradient optimisation "
    "retrieval augmented reasoning chain thought verifier curriculum distillation teacher student "
    "contrastive representation embedding tokenizer corpus web scale filtering deduplication "
    "quality diversity entropy mode memorisation privacy watermark detection human feedback"
).split()
TAIL_WORDS = 6000


def _vocabulary() -> tuple[list[str], list[float]]:
    """The head words, then pronounceable tail words; cumulative Zipf-Mandelbrot weights
    1/(rank + 10): the commonest word is in about half the papers, the 1000th in under 1%."""
    rng = random.Random(12345)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words = list(HEAD)
    seen = set(words)
    while len(words) < len(HEAD) + TAIL_WORDS:
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = list(itertools.accumulate(1.0 / (rank + 10) for rank in range(len(words))))
    return words, weights


VOCABULARY, CUMULATIVE = _vocabulary()
CATEGORIES = (
    ["cs.LG"] * 30
    + ["cs.CL"] * 30
    + ["cs.AI"] * 12
    + ["stat.ML"] * 8
    + [
        "cs.CV",
        "cs.CR",
        "cs.IR",
        "math.ST",
        "cs.NE",
        "q-bio.NC",
        "econ.GN",
        "physics.soc-ph",
    ]
)
VERDICTS = ["UNVERDICTED"] * 85 + ["SOUND"] * 8 + ["FLAWED"] * 4 + ["RETRACTED"]
ROLES = ["background", "baseline", "method", "dataset", "comparison", "extension"]
POLARITIES = [None] * 30 + ["supporting"] * 40 + ["neutral"] * 20 + ["contrasting"] * 10
START = dt.date(2015, 1, 1).toordinal()
SHARED = 0.2
"""The share of another hub's citing papers that also cite the main hub."""
SMALL_HUB = 500
"""The citing papers of the last hub, all of them the main hub's too: a hub as most are, in a
store that holds many more papers."""


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=rng.randint(low, high))).capitalize()


def arxiv_id(number: int) -> str:
    """The arXiv id of synthetic paper ``number`` (unique up to 90 million)."""
    return f"{number // 100000 + 10:04d}.{number % 100000:05d}"


def synthetic_paper(number: int, seed: int = 7) -> Paper:
    """Citing paper ``number``: always the same paper for the same (number, seed)."""
    rng = random.Random(seed * 1_000_000_007 + number)
    return Paper(
        title=_sentence(rng, 6, 16),
        arxiv_id=arxiv_id(number),
        authors=tuple(f"Author {rng.randint(1, 50000)}" for _ in range(rng.randint(1, 6))),
        date=dt.date.fromordinal(START + rng.randint(0, 4000)),
        category=rng.choice(CATEGORIES),
        verdict=rng.choice(VERDICTS),
        novelty=None if rng.random() < 0.1 else round(rng.uniform(1, 9) * 2) / 2,
        summary=_sentence(rng, 20, 40) + ".",
    )


def hub_paper(hub_index: int, citing: int, seed: int = 7) -> Paper:
    rng = random.Random(seed * 7_919 + hub_index)
    return Paper(
        title=f"Hub {hub_index}: {_sentence(rng, 6, 12)}",
        arxiv_id=f"2301.{hub_index:05d}",
        category="cs.LG",
        date=dt.date(2023, 1, 1),
        abstract=_sentence(rng, 120, 200) + ".",
        cited_by_reported=citing,
    )


@dataclass(frozen=True)
class HubPlan:
    """Hub ``index`` is cited by papers ``numbers`` (a function of the store's layout)."""

    index: int
    numbers: list[int]


def layout(citing: int, other_hubs: int = 3, other_size: int | None = None, seed: int = 7) -> list[HubPlan]:
    """The main hub (index 0) cited by papers 0..citing-1, then ``other_hubs`` hubs of
    ``other_size`` citing papers each (default a tenth of the main hub, at least 1000), a fifth
    of them shared with the main hub, then a small hub of SMALL_HUB of the main hub's papers."""
    size = other_size if other_size is not None else max(1000, citing // 10)
    plans = [HubPlan(0, list(range(citing)))]
    rng = random.Random(seed)
    next_number = citing
    for index in range(1, other_hubs + 1):
        shared = rng.sample(range(citing), min(citing, int(size * SHARED))) if citing else []
        fresh = list(range(next_number, next_number + size - len(shared)))
        next_number += len(fresh)
        plans.append(HubPlan(index, sorted(shared + fresh)))
    plans.append(HubPlan(other_hubs + 1, sorted(rng.sample(range(citing), min(citing, SMALL_HUB)))))
    return plans


def synthetic_hub(hub_index: int, citing: int, seed: int = 7, numbers: list[int] | None = None) -> Iterator[Paper | Citation]:
    """The hub paper ``hub_index`` and a citation to it from each paper of ``numbers``
    (default 0..citing-1), reproducibly."""
    rng = random.Random(seed * 1_000_003 + hub_index)
    hub = hub_paper(hub_index, len(numbers) if numbers is not None else citing, seed)
    yield hub
    for number in numbers if numbers is not None else range(citing):
        roles: tuple[str, ...] = ()
        if rng.random() < 0.5:
            roles = tuple(sorted(set(rng.sample(ROLES, rng.choice((1, 1, 1, 2))))))
        yield Citation(
            citing=synthetic_paper(number, seed),
            cited=hub,
            roles=roles,
            polarity=rng.choice(POLARITIES),
            influential=rng.random() < 0.05,
            contexts=(_sentence(rng, 15, 30) + ".",) if rng.random() < 0.3 else (),
            source="synthetic",
        )


def records(citing: int, *, other_hubs: int = 3, other_size: int | None = None, seed: int = 7) -> Iterator[Paper | Citation]:
    """Every record of the store: the main hub's, then the other hubs'."""
    for plan in layout(citing, other_hubs, other_size, seed):
        yield from synthetic_hub(plan.index, len(plan.numbers), seed, plan.numbers)


@dataclass(frozen=True)
class Filled:
    citations: int
    seconds: float

    @property
    def rate(self) -> float:
        """Citations stored per second."""
        return self.citations / self.seconds if self.seconds else 0.0


def fill(
    repo: HubRepository,
    citing: int,
    *,
    other_hubs: int = 3,
    other_size: int | None = None,
    batch: int = 20000,
    seed: int = 7,
    progress: bool = False,
) -> Filled:
    """Store the main hub with ``citing`` citations plus the other hubs through
    ``repo.upsert``, ``batch`` citations per transaction (each batch names its hub again).
    The time counted is the time spent in ``upsert``, not in making up the records."""
    from pithtui.sources.importer import bulk  # the import path's own setting: cyclic GC paused

    storing = 0.0
    total = 0
    for plan in layout(citing, other_hubs, other_size, seed):
        stream = synthetic_hub(plan.index, len(plan.numbers), seed, plan.numbers)
        hub = next(stream)
        while chunk := list(itertools.islice(stream, batch)):
            started = time.perf_counter()
            with bulk():
                repo.upsert([hub, *chunk])
            storing += time.perf_counter() - started
            total += len(chunk)
            if progress:
                print(f"\r  {total:,} citations stored, {total / storing:,.0f}/s", end="", flush=True)
    if progress:
        print()
    return Filled(total, storing)


MARKS = 10_000
"""The reader's marks a generated store holds at most (a tenth of a smaller main hub)."""


def mark(repo: HubRepository, citing: int) -> int:
    """Mark some of the main hub's citing papers as a reader would: ``min(MARKS, citing // 10)``
    of them read, every second of those starred, every tenth noted, every fifth with a verdict.
    Written in one statement (the bench's setting-up, not what it measures)."""
    from sqlalchemy import insert, select

    from pithtui.store.mine import os_user
    from pithtui.store.schema import citations, marks, utcnow

    count = min(MARKS, citing // 10)
    hub = repo.resolve(hub_paper(0, citing).arxiv_id or "").id
    with repo.engine.begin() as conn:
        ids = (
            conn.execute(select(citations.c.citing_id).where(citations.c.cited_id == hub).order_by(citations.c.citing_id))
            .scalars()
            .all()
        )
        step = max(1, len(ids) // max(count, 1))
        now = utcnow()
        rows = [
            {
                "owner": os_user(),
                "paper_id": paper_id,
                "starred": n % 2 == 0,
                "starred_at": now,
                "read": True,
                "read_at": now,
                "note": "worth a second look" if n % 10 == 0 else "",
                "note_at": now,
                "verdict": ("must-read", "useful", "disagree", "irrelevant")[n // 5 % 4] if n % 5 == 0 else None,
                "verdict_at": now,
                "changed_at": now,
            }  # fmt: skip
            for n, paper_id in enumerate(ids[::step][:count])
        ]
        if rows:
            conn.execute(insert(marks), rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--citing", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    repo = open_repository(args.db)
    done = fill(repo, args.citing, seed=args.seed, progress=True)
    print(f"stored {done.citations:,} citations at {done.rate:,.0f} citations/s; store: {repo.info()}")


if __name__ == "__main__":
    main()
