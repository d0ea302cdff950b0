"""A one-line progress bar on standard error for long CLI jobs (``pithtui fetch``).

Drawn only when standard error is a terminal, so logs, pipes and tests see nothing of it.
"""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """``label  300/1881 [#####.........]``, redrawn in place; a context manager that ends
    the line when done."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            filled = min(WIDTH, WIDTH * done // total)
            bar = f" [{'#' * filled}{'.' * (WIDTH - filled)}]"
            line = f"{self.label}  {done}/{total}{bar}"
        else:
            line = f"{self.label}  {done}"
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
