"""How fast does ``pithtui classify --all`` label a store? Prints contexts per second.

Stores ``--size`` citations of one hub, each with one citing sentence of 15-40 words in the
style of a real one (a reference marker, a cue phrase now and then), with no labels, as a store
written before the classifier would hold them; then labels them all through the repository
(``HubRepository.classify``, what the command runs: batches that each commit) and reports the
rate, the time it would take for a million contexts at that rate, and the share of the time the
classifier itself took (the rest is reading, writing and keeping the facet cells).

    python -m bench.bench_classify                   # 100,000 contexts
    python -m bench.bench_classify --size 1000000    # the goal: 1M in at most 2 minutes
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pithtui.models import Citation, Paper
from pithtui.sources.citation_model import load_classifier
from pithtui.store import open_repository

GOAL_SECONDS_PER_MILLION = 120.0
MARKERS = ("[{n}]", "({name} et al., {year})", "{name} and Lee ({year})", "[{n}, {m}]")
CUES = ("However,", "Unlike", "Following", "In contrast to", "Consistent with", "We use", "As in", "")
WRITE_BATCH = 20_000
WORDS = (
    "the model data results method approach we our this work training language show propose performance "
    "previous models task learning based neural network accuracy errors generated synthetic collapse text "
    "improves baseline dataset corpus evaluation features significantly shown similar large small"
).split()


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))


def context(rng: random.Random) -> str:
    marker = rng.choice(MARKERS).format(n=rng.randint(1, 60), m=rng.randint(1, 60), name="Smith", year=rng.randint(1990, 2025))
    return f"{rng.choice(CUES)} {_words(rng, 8, 18)} {marker} {_words(rng, 6, 20)}.".strip()


def records(size: int, seed: int) -> Iterator[list[Paper | Citation]]:
    rng = random.Random(seed)
    hub = Paper(title="Benchmark hub", arxiv_id="2301.00000")
    for start in range(0, size, WRITE_BATCH):
        yield [
            Citation(citing=Paper(title=f"Citing paper {n}", corpus_id=10_000_000 + n), cited=hub, contexts=(context(rng),))
            for n in range(start, min(size, start + WRITE_BATCH))
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="contexts to label (one per citation)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    classifier = load_classifier()
    with tempfile.TemporaryDirectory() as folder:
        repo = open_repository(f"sqlite:///{Path(folder) / 'bench.db'}")
        started = time.perf_counter()
        texts: list[str] = []
        for batch in records(args.size, args.seed):
            repo.upsert(batch)
            if len(texts) < 20_000:
                texts.extend(c.contexts[0] for c in batch if isinstance(c, Citation))
        stored = time.perf_counter() - started
        started = time.perf_counter()
        taken, labelled, _ = repo.classify(classifier)
        seconds = time.perf_counter() - started
        repo.close()
    started = time.perf_counter()
    for text in texts:
        classifier.classify(text)
    alone = (time.perf_counter() - started) / len(texts)
    rate = taken / seconds
    million = 1_000_000 / rate
    verdict = "met" if million <= GOAL_SECONDS_PER_MILLION else "NOT met"
    print(f"model {classifier.model_id}; {args.size:,} citations stored unlabelled in {stored:.1f} s")
    print(f"classify --all: {taken:,} contexts ({labelled:,} labelled) in {seconds:.1f} s = {rate:,.0f} contexts/s")
    print(f"  1M contexts at this rate: {million:.0f} s (goal ≤ {GOAL_SECONDS_PER_MILLION:.0f} s: {verdict})")
    print(f"  the classifier alone: {alone * 1e6:.1f} µs a context = {alone * taken / seconds:.0%} of the run")


if __name__ == "__main__":
    main()
