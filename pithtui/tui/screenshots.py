"""``python -m pithtui.tui.screenshots``: regenerate ``screenshots/*.svg``.

Each scene drives the app headlessly (``App.run_test``) against a temporary store seeded with
the sample hub, so the pictures are the same on every machine and every run. The snapshot
tests drive the same scenes, so what the README shows is what the tests pin.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from pithtui.sources.sample import load_sample_hub, open_store
from pithtui.store import HubRepository

OUT_DIR = Path("screenshots")


async def settle(pilot: Pilot[object]) -> None:
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


async def _hub(pilot: Pilot[object]) -> None:
    await settle(pilot)


async def _filtered(pilot: Pilot[object]) -> None:
    """cs.LG papers of novelty 6 or more, chosen with the keys a user would press."""
    await settle(pilot)
    await pilot.press("slash")
    pilot.app.screen.query_one("#facet-category").focus()
    await pilot.press("g", "j", "space")
    pilot.app.screen.query_one("#min-novelty").focus()
    await pilot.press("6", "enter", "escape")
    await settle(pilot)


async def _detail(pilot: Pilot[object]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _picker(pilot: Pilot[object]) -> None:
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)  # the picker is up and has the keys before the words are typed
    await pilot.press(*"model")
    await settle(pilot)


async def _help(pilot: Pilot[object]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    size: tuple[int, int]
    steps: Callable[[Pilot[object]], Awaitable[None]]


SCENES = (
    Scene("hub", (120, 40), _hub),
    Scene("hub-80x24", (80, 24), _hub),
    Scene("filtered", (120, 40), _filtered),
    Scene("detail", (120, 40), _detail),
    Scene("picker", (120, 40), _picker),
    Scene("help", (120, 40), _help),
)


async def shoot(scene: Scene, repo: HubRepository, out_dir: Path) -> Path:
    from pithtui.tui.app import PithApp

    app = PithApp(repo)
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
            repo = sample_store(folder)
            try:
                print(asyncio.run(shoot(scene, repo, args.out)))
            finally:
                repo.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
