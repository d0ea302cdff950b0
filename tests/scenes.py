"""``python tests/scenes.py``: regenerate ``screenshots/*.svg`` (from the repository's top folder).

Each scene drives the app headlessly (``App.run_test``) against a temporary store seeded with
the sample hub, so the pictures are the same on every machine and every run. The snapshot
tests drive the same scenes, so what the README shows is what the tests pin.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from pithtui.models import Citation, MineChange, Paper
from pithtui.sources.citation_model import load_classifier
from pithtui.sources.sample import SAMPLE_REF, load_sample_hub, open_store
from pithtui.store import HubRepository

OUT_DIR = Path("screenshots")


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and every message it posted was handled."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return
    raise TimeoutError("the app kept starting workers")


def sample_store(directory: Path) -> HubRepository:
    """A store in ``directory`` holding just the sample hub."""
    repo = open_store(f"sqlite:///{directory / 'sample.db'}")
    repo.upsert(load_sample_hub())
    return repo


SENTENCES_HUB = Paper(
    title="Sample: a hub whose citing sentences pithtui labels (invented for the screenshots)", arxiv_id="2401.00001"
)
SENTENCES = (
    (
        "Tails first: what recursive training forgets",
        2024,
        "However, unlike [12], we find that the tails of the distribution vanish only when real data is discarded.",
    ),
    (
        "Accumulating data avoids collapse",
        2024,
        "In contrast to (Lee et al., 2023), our analysis shows that collapse does not occur when synthetic data accumulates alongside real data.",
    ),
    (
        "Self-consuming generative models",
        2023,
        "Our results are consistent with [4], confirming that quality degrades over generations without fresh data.",
    ),
    (
        "A survey of synthetic data for language models",
        2025,
        "Model collapse has been described for language models and image generators [7, 8].",
    ),
    (
        "Curating synthetic corpora at scale",
        2024,
        "We use the recursive training protocol of (Lee et al., 2023) to measure the loss of rare tokens.",
    ),
    (
        "Watermarks against self-consumption",
        2024,
        "Following [3], we train each generation on the previous generation's outputs.",
    ),
    (
        "Scaling laws under recursive training",
        2025,
        "We extend the analysis of [5] to mixtures of real and synthetic data and to larger models.",
    ),
    (
        "Collapse is not inevitable",
        2024,
        "Their conclusion that collapse is inevitable fails to hold once the training set keeps its original samples [2].",
    ),
    (
        "Data provenance for web-scale corpora",
        2025,
        "Future work could apply the detection methods of [9] to filter generated text from web crawls.",
    ),
    ("Strong model collapse", 2024, "This confirms the findings of (Lee et al., 2023) for a broader family of models."),
    ("Recursive fine-tuning of instruction models", 2025, ""),
)
"""Invented citing papers and sentences: a hub the classifier has labelled, to show its work."""


def sentences_store(directory: Path) -> HubRepository:
    """A store in ``directory`` holding the sample hub and a hub whose citing sentences the
    classifier labelled (as an import labels them)."""
    repo = sample_store(directory)
    records = [
        Citation(
            citing=Paper(
                title=title, date=dt.date(year, 1 + n % 12, 1 + n), arxiv_id=f"{year % 100}{1 + n % 12:02d}.{n + 10:05d}"
            ),
            cited=SENTENCES_HUB,
            contexts=(sentence,) if sentence else (),
            source="semantic-scholar",
        )
        for n, (title, year, sentence) in enumerate(SENTENCES)
    ]
    repo.upsert(records, load_classifier())
    return repo


MARKS = (
    MineChange(starred=True, read=True, note="The clearest account of the collapse in RL fine-tuning.\nCompare with §4."),
    MineChange(verdict="must-read"),
    MineChange(read=True, verdict="useful"),
    MineChange(starred=True),
    MineChange(read=True),
)
"""The reader's marks of the sample hub's first citing papers (newest first)."""


def marked_store(directory: Path) -> HubRepository:
    """The sample hub, its first citing papers marked by the reader (starred, noted, read, judged)."""
    repo = sample_store(directory)
    hub = repo.resolve(SAMPLE_REF).id
    assert hub is not None
    for row, change in zip(repo.page(hub).rows, MARKS):
        assert row.paper.id is not None
        repo.mark(row.paper.id, change)
    return repo


async def _hub(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def _filtered(pilot: Pilot[None]) -> None:
    """cs.LG papers of novelty 6 or more, chosen with the keys a user would press."""
    await settle(pilot)
    await pilot.press("slash")
    pilot.app.screen.query_one("#facet-category").focus()
    await pilot.press("g", "j", "space")
    pilot.app.screen.query_one("#min-novelty").focus()
    await pilot.press("6", "enter", "escape")
    await settle(pilot)


def _pressing(key: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A scene step: the screen settled, ``key`` pressed, settled again."""

    async def step(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return step


_detail = _pressing("enter")


async def _starred(pilot: Pilot[None]) -> None:
    """The marked hub showing only the papers starred, ticked with the keys a user would press."""
    await settle(pilot)
    pilot.app.screen.query_one("#facet-mine").focus()
    await pilot.press("g", "space")
    await settle(pilot)


async def _picker(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)  # the picker is up and has the keys before the words are typed
    await pilot.press(*"model")
    await settle(pilot)


_help = _pressing("question_mark")


_labelled = _pressing("c")  # the labelled hub, most contrasting first


async def _labelled_detail(pilot: Pilot[None]) -> None:
    await _labelled(pilot)
    await pilot.press("enter")
    await settle(pilot)


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    size: tuple[int, int]
    steps: Callable[[Pilot[None]], Awaitable[None]]
    store: Callable[[Path], HubRepository] = sample_store
    ref: str | None = None


SCENES = (
    Scene("hub", (120, 40), _hub),
    Scene("hub-80x24", (80, 24), _hub),
    Scene("filtered", (120, 40), _filtered),
    Scene("detail", (120, 40), _detail),
    Scene("marks", (120, 40), _hub, marked_store),
    Scene("marks-starred", (120, 40), _starred, marked_store),
    Scene("marks-detail", (120, 40), _detail, marked_store),
    Scene("picker", (120, 40), _picker),
    Scene("help", (120, 40), _help),
    Scene("polarity", (120, 40), _labelled, sentences_store, SENTENCES_HUB.arxiv_id),
    Scene("polarity-detail", (120, 40), _labelled_detail, sentences_store, SENTENCES_HUB.arxiv_id),
)


async def shoot(scene: Scene, repo: HubRepository, out_dir: Path) -> Path:
    from pithtui.settings import DEFAULTS
    from pithtui.tui.app import PithApp

    app = PithApp(repo, ref=scene.ref, settings=DEFAULTS)  # never the settings file of whoever runs this
    async with app.run_test(size=scene.size) as pilot:
        await scene.steps(pilot)
        return Path(app.save_screenshot(filename=f"{scene.name}.svg", path=str(out_dir)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].strip("`: "))
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the SVGs (default: screenshots)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        for scene in SCENES:
            folder = Path(directory) / scene.name
            folder.mkdir()
            repo = scene.store(folder)
            try:
                print(asyncio.run(shoot(scene, repo, args.out)))
            finally:
                repo.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
