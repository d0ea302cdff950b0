"""Textual's private names that pithtui relies on (pithtui/tui/compat.py) are all there.

A new Textual that renames one fails here, naming it, instead of drawing a wrong frame.
"""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Static

from pithtui.tui import compat


class Tiny(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello compat")


def test_every_private_name_pithtui_uses_is_in_the_installed_textual() -> None:
    async def run() -> None:
        app = Tiny()
        async with app.run_test(size=(40, 5)) as pilot:
            await pilot.pause()
            assert compat.missing(app) == [], f"Textual no longer has {compat.missing(app)}: see pithtui/tui/compat.py"
            assert "hello compat" in compat.screen_text(app.screen)
            app.notify("a note")
            await pilot.pause()
            assert compat.notifications(app) == ["a note"]

    asyncio.run(run())


def test_a_missing_name_is_named() -> None:
    class Bare:
        pass

    original = dict(compat.CLASS_NAMES)
    compat.CLASS_NAMES[Bare] = ("_nowhere",)
    try:
        assert compat.missing() == ["Bare._nowhere"]
    finally:
        compat.CLASS_NAMES.clear()
        compat.CLASS_NAMES.update(original)
