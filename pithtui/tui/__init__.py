"""The Textual face of pithtui: the citation hub in the terminal.

Importing this package is cheap on purpose: the CLI imports it for every command, and only
:func:`run` (the no-subcommand case) needs Textual and the app, so they are imported there.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping

SIXTEEN_COLOUR_TERMS = frozenset({"linux", "vt100", "vt102", "vt220", "ansi", "cons25", "xterm-16color"})
"""TERM values of terminals that show 16 colours only (the Linux console above all)."""


def wants_ansi(env: Mapping[str, str]) -> bool:
    """True when the environment says the terminal has 16 colours only."""
    system = env.get("TEXTUAL_COLOR_SYSTEM", "").lower()
    return system in {"standard", "windows"} or env.get("TERM", "").lower() in SIXTEEN_COLOUR_TERMS


def run(db_url: str | None, ref: str | None, ansi: bool) -> int:
    """Open the hub of ``ref`` (else the last hub, else the sample) and run until the user quits.

    ``ansi`` keeps to the terminal's own 16 colours; it is also chosen when the environment
    says so (``TERM=linux``, ``TEXTUAL_COLOR_SYSTEM=standard``). Returns the exit status.
    """
    # What importing and opening the store make (modules, classes, the schema, the engine) lives
    # as long as the process: the garbage collector waits until they are made, then leaves them
    # out for good. Otherwise each full collection walks them all again, and the first ones
    # come before a hub's first frame.
    gc.disable()
    try:
        from pithtui.sources.sample import open_store
        from pithtui.tui.app import PithApp

        repo = open_store(db_url, create=False)
    finally:
        gc.freeze()
        gc.enable()
    try:
        app = PithApp(repo, ref=ref, ansi=ansi or wants_ansi(os.environ), freeze_first_frame=True)
        app.run()
        return app.return_code or 0
    finally:
        repo.close()
