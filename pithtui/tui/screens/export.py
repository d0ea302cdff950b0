"""The export dialog (``w``): the explorer's citing papers, as filtered and sorted, to a file.

It only chooses: the format (CSV, pithtui JSON, Markdown, BibTeX) and the file. The hub screen
writes the file from a worker and says where it went, since an export of a big hub streams
every row from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pithtui.export import SUFFIXES
from pithtui.tui.widgets.vim import VimOptionList

FORMATS = {
    "csv": "CSV: a row per citing paper, for a spreadsheet",
    "json": "pithtui JSON: everything, and `pithtui import` reads it back",
    "markdown": "Markdown: a table for notes",
    "bibtex": "BibTeX: an entry per citing paper",
}
"""The formats offered, first the default, with what each is for."""

_UNSAFE = re.compile(r"[^\w.-]+")


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """Where and how to write the export."""

    format: str
    path: Path


def suggested_path(folder: Path, ref: str, fmt: str) -> Path:
    """``<folder>/<ref>-citing.<suffix>`` (the reference made safe for a file name), numbered
    ``-2``, ``-3`` … rather than replace a file already there."""
    stem = f"{_UNSAFE.sub('_', ref).strip('_') or 'hub'}-citing"
    path = folder / f"{stem}{SUFFIXES[fmt]}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{SUFFIXES[fmt]}"
        number += 1
    return path


class ExportScreen(ModalScreen[ExportChoice | None]):
    """Choose a format (the list) and a file (the field); enter in either writes."""

    BINDINGS = [
        Binding("escape", "dismiss_export", "Cancel", id="export.cancel"),
    ]

    def __init__(self, ref: str, shown: int | None, folder: Path | None = None) -> None:
        """``ref`` names the suggested file; ``shown`` is how many citing papers the explorer
        lists (None while they are counted)."""
        super().__init__()
        self._ref = ref
        self._shown = shown
        self._folder = folder or Path.cwd()

    def compose(self) -> ComposeResult:
        what = "the citing papers shown" if self._shown is None else f"the {self._shown} citing papers shown"
        with Vertical(id="export"):
            yield Label(f"Export {what}, filtered and sorted as in the explorer", id="export-title")
            yield VimOptionList(*(Option(text, id=fmt) for fmt, text in FORMATS.items()), id="export-formats")
            yield Input(str(suggested_path(self._folder, self._ref, next(iter(FORMATS)))), id="export-path")
            yield Label("enter writes · tab: the format or the file name · esc cancels", id="export-hint")

    def on_mount(self) -> None:
        self.query_one("#export-formats", OptionList).highlighted = 0

    @property
    def _format(self) -> str:
        formats = self.query_one("#export-formats", OptionList)
        option = formats.get_option_at_index(formats.highlighted or 0)
        return option.id or next(iter(FORMATS))

    @on(OptionList.OptionHighlighted, "#export-formats")
    def _format_moved(self) -> None:
        """The file's ending follows the format, unless the user gave the file another one."""
        field = self.query_one("#export-path", Input)
        path = Path(field.value)
        if path.suffix in SUFFIXES.values():
            field.value = str(path.with_suffix(SUFFIXES[self._format]))

    @on(OptionList.OptionSelected, "#export-formats")
    @on(Input.Submitted, "#export-path")
    def _write(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("Name the file to write", severity="warning", timeout=4)
            return
        path = Path(text).expanduser()
        self.dismiss(ExportChoice(self._format, path if path.is_absolute() else self._folder / path))

    def action_dismiss_export(self) -> None:
        self.dismiss(None)
