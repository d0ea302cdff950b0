"""Errors a user can be shown as one line.

Every failure pithtui expects (bad input, an unknown paper, an unusable database) is one of
these; the CLI prints ``str(error)`` and exits 1, the TUI shows it in a notification.
"""

from __future__ import annotations

from pithtui.text import printable


class PithError(Exception):
    """Base of every error pithtui reports to a user in one line.

    The message often quotes what came from outside (a file's field, a service's error answer,
    a path), so it is made one printable line here, once for every error: no line breaks, no
    control characters or bidi overrides for the terminal to act on.
    """

    def __init__(self, message: object = "") -> None:
        super().__init__(printable(str(message)))


class StoreError(PithError):
    """The database cannot be opened, read or written as asked."""


class UnknownPaper(PithError):
    """A reference (arXiv id, DOI, title words, …) matches no paper in the store."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no paper in the store matches {ref!r} (try `pithtui papers --search WORDS`)")
        self.ref = ref


class InputError(PithError):
    """A file or an argument cannot be understood."""


class Cancelled(PithError):
    """A query was stopped because whoever asked has given up on the answer (the TUI asks
    afresh as the user types); never shown to a user."""

    def __init__(self) -> None:
        super().__init__("cancelled")


class ModelFileError(PithError):
    """The citation classifier's weights file is missing or is not one."""
