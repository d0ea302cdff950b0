"""The dialogs of the reader's own layer: a note on a paper (``N``) and a verdict of theirs (``y``).

They only choose (:func:`ask_note`, :func:`ask_verdict`); the hub screen writes the mark from a
worker. A note is written in a TextArea
here, or in the reader's ``$EDITOR`` (:func:`edit_in_editor`, run while the app is suspended).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option

from pithtui.models import MAX_NOTE_BYTES, CitingPaper, note_too_long
from pithtui.tui.safe import literal
from pithtui.tui.widgets.vim import VimOptionList

CLEAR = ""
"""The verdict dialog's answer that clears the reader's verdict (``MineChange(verdict="")``)."""


def note_text(text: str) -> str:
    """A note as kept: without the trailing newlines an editor adds."""
    return text.rstrip("\n")


class EditorFailed(Exception):
    """The editor could not be run or exited with a failure: the note stays as it was."""


def edit_in_editor(text: str, editor: str) -> str | None:
    """``text`` edited in ``editor`` (a command line, as ``$EDITOR`` holds it, given a temporary
    file); None when the text came back unchanged. Raises :class:`EditorFailed` (saying why) when
    the editor cannot be run or exits with a non-zero status. Blocks: run it with the app
    suspended."""
    try:
        command = shlex.split(editor)
    except ValueError as error:
        raise EditorFailed(f"$EDITOR cannot be read as a command ({error})") from None
    if not command:
        raise EditorFailed("$EDITOR is empty")
    descriptor, name = tempfile.mkstemp(prefix="pithtui-note-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            status = subprocess.run([*command, str(path)], check=False).returncode
        except OSError as error:
            raise EditorFailed(f"cannot run {command[0]}: {error.strerror or error}") from None
        if status != 0:
            raise EditorFailed(f"{command[0]} exited with status {status}")
        with path.open("rb") as file:
            raw = file.read(MAX_NOTE_BYTES + 1)
    finally:
        path.unlink(missing_ok=True)
    edited = note_text(raw.decode("utf-8", "replace"))
    return None if edited == note_text(text) else edited


class NoteScreen(ModalScreen[str | None]):
    """Write a note on a paper: ctrl+s keeps it (empty: forgets it), escape leaves it as it was."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save the note", id="note.save"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self._title = title
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note"):
            heading = Text("Your note on ")
            heading.append_text(literal(self._title, "italic"))
            yield Label(heading, id="note-title")
            yield TextArea(self._note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Label("ctrl+s keeps it (an empty note is forgotten) · esc cancels", id="note-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        text = note_text(self.query_one(TextArea).text)
        if note_too_long(text):
            self.notify("The note is longer than 1 MiB, the longest pithtui keeps", severity="warning", timeout=6)
            return
        self.dismiss(None if text == note_text(self._note) else text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class VerdictScreen(ModalScreen[str | None]):
    """Choose a verdict of the reader's own vocabulary (or clear theirs); escape leaves it."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="verdict.cancel"),
    ]

    def __init__(self, title: str, verdicts: tuple[str, ...], current: str | None) -> None:
        super().__init__()
        self._title = title
        self._verdicts = verdicts
        self._current = current

    def compose(self) -> ComposeResult:
        options = [Option(verdict, id=verdict) for verdict in self._verdicts]
        if self._current is not None and self._current not in self._verdicts:  # from a vocabulary since changed
            options.insert(0, Option(literal(self._current), id=self._current))
        options.append(Option(Text("clear your verdict", style="italic"), id="\0clear"))
        with Vertical(id="verdict"):
            heading = Text("Your verdict on ")
            heading.append_text(literal(self._title, "italic"))
            yield Label(heading, id="verdict-title")
            yield VimOptionList(*options, id="verdict-options")
            yield Label("enter chooses · esc cancels", id="verdict-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self._current is not None:
            options.highlighted = options.get_option_index(self._current)
        else:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        chosen = message.option.id
        verdict = CLEAR if chosen == "\0clear" or chosen is None else chosen
        self.dismiss(None if verdict == (self._current or CLEAR) else verdict)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_note(screen: Screen[Any], row: CitingPaper, write: Callable[[str], object]) -> None:
    """Ask the reader's note on ``row`` and ``write`` it: in ``$EDITOR`` when set (the app
    suspended meanwhile), else in a dialog; a note that comes back unchanged writes nothing."""
    editor = os.environ.get("EDITOR", "").strip()
    if editor:
        try:
            with screen.app.suspend():
                edited = edit_in_editor(row.mine.note, editor)
        except SuspendNotSupported:
            pass  # no terminal to hand over (a test, a web terminal): the dialog instead
        except EditorFailed as error:
            screen.notify(f"The note is unchanged: {error}", severity="warning", markup=False, timeout=6)
            return
        else:
            if edited is not None and note_too_long(edited):
                screen.notify("The note is longer than 1 MiB, the longest pithtui keeps", severity="warning", timeout=6)
            elif edited is not None:
                write(edited)
            return

    def written(text: str | None) -> None:
        if text is not None:
            write(text)

    screen.app.push_screen(NoteScreen(row.paper.display_title, row.mine.note), written)


def ask_verdict(screen: Screen[Any], row: CitingPaper, verdicts: tuple[str, ...], write: Callable[[str], object]) -> None:
    """Ask the reader's verdict of ``row`` from their vocabulary (or to clear it) and ``write`` it."""

    def chosen(verdict: str | None) -> None:
        if verdict is not None:
            write(verdict)

    screen.app.push_screen(VerdictScreen(row.paper.display_title, verdicts, row.mine.verdict), chosen)
