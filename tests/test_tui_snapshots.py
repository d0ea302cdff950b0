"""Snapshots of the main screens at 80×24 and 120×40 (``--snapshot-update`` to accept changes).

They drive the same scenes as ``python tests/scenes.py``, against a fresh store
holding only the sample hub, so the output is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenes import SCENES, Scene

from pithtui.settings import DEFAULTS
from pithtui.tui.app import PithApp

SIZES = ((80, 24), (120, 40))
CASES = [
    pytest.param(scene, size, id=f"{scene.name}-{size[0]}x{size[1]}")
    for scene in SCENES
    if scene.size in SIZES and scene.name != "hub-80x24"  # the hub is pinned at both sizes below
    for size in SIZES
]


@pytest.mark.parametrize(("scene", "size"), CASES)
def test_screen(snap_compare, tmp_path: Path, scene: Scene, size: tuple[int, int]) -> None:
    repo = scene.store(tmp_path)
    try:
        assert snap_compare(PithApp(repo, ref=scene.ref, settings=DEFAULTS), terminal_size=size, run_before=scene.steps)
    finally:
        repo.close()
