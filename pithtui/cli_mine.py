"""``pithtui mark`` and ``pithtui mine``: the reader's own layer, for scripts.

``mark`` stars, marks read, notes and gives a verdict of your own to one stored paper (the
verdict from your vocabulary in the settings file); ``mine export`` and ``mine import`` move your
whole layer (marks and saved views) between stores as JSON. The settings are read here for the
CLI: a problem with the file is one warning line on stderr, and the defaults go on.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pithtui.errors import InputError
from pithtui.models import MAX_NOTE_BYTES, note_too_long

if TYPE_CHECKING:
    from pithtui.models import Mine, Paper
    from pithtui.settings import Settings
    from pithtui.store import HubRepository


@functools.cache
def settings() -> Settings:
    """The reader's settings, each problem with the file told once on stderr."""
    from pithtui.settings import load_settings

    return load_settings(warn=lambda line: print(f"pithtui: warning: {line}", file=sys.stderr))


def add_commands(commands: argparse._SubParsersAction[Any], add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``mark`` and ``mine`` subcommands."""
    mark = commands.add_parser("mark", help="star, mark read, note or judge a paper (your own layer)")
    mark.add_argument("ref", metavar="REF", help="arXiv id, DOI, Semantic Scholar id, CorpusId:N or title words")
    add_db(mark)
    star = mark.add_mutually_exclusive_group()
    star.add_argument("--star", dest="starred", action="store_const", const=True, help="star it")
    star.add_argument("--unstar", dest="starred", action="store_const", const=False, help="take its star away")
    read = mark.add_mutually_exclusive_group()
    read.add_argument("--read", dest="read", action="store_const", const=True, help="mark it read")
    read.add_argument("--unread", dest="read", action="store_const", const=False, help="mark it unread")
    note = mark.add_mutually_exclusive_group()
    note.add_argument("--note", metavar="TEXT", help="your note (replaces the one kept)")
    note.add_argument("--note-file", metavar="FILE", help="your note from FILE (- for standard input)")
    note.add_argument("--clear-note", action="store_true", help="forget your note")
    verdict = mark.add_mutually_exclusive_group()
    verdict.add_argument("--verdict", metavar="V", help="your verdict, from your vocabulary (settings: verdicts)")
    verdict.add_argument("--clear-verdict", action="store_true", help="forget your verdict")

    mine = commands.add_parser("mine", help="move your own layer (marks, saved views) between stores")
    mine.add_argument("action", choices=("export", "import"), help="export to FILE, or merge FILE in (newer changes win)")
    mine.add_argument("file", metavar="FILE", help="the layer's JSON file (- for standard output/input)")
    add_db(mine)


def add_show_filters(show: argparse.ArgumentParser) -> None:
    """``show``'s filters on your own layer."""
    show.add_argument("--starred", action="store_true", help="only papers you starred")
    show.add_argument("--unread", action="store_true", help="only papers you have not marked read")
    show.add_argument("--noted", action="store_true", help="only papers you wrote a note on")
    show.add_argument(
        "--my-verdict", action="append", default=[], metavar="V", help="only papers you gave this verdict (repeatable)"
    )


def show_filters(args: argparse.Namespace) -> dict[str, frozenset[str]]:
    """The Filters fields of ``show``'s filters on your own layer."""
    flags = {flag for flag in ("starred", "unread", "noted") if getattr(args, flag)}
    return {"mine": frozenset(flags), "my_verdicts": frozenset(_verdict(v) for v in args.my_verdict)}


def _verdict(text: str) -> str:
    """One of the reader's verdicts, as the settings spell it; InputError naming the choices."""
    from pithtui.settings import normalize_verdict

    vocabulary = settings().verdicts
    try:
        verdict = normalize_verdict(text)
    except ValueError:
        verdict = ""
    if verdict not in vocabulary:
        raise InputError(f"{text!r} is not one of your verdicts ({', '.join(vocabulary)}; the settings file's verdicts add more)")
    return verdict


def _note(args: argparse.Namespace) -> str | None:
    if args.clear_note:
        return ""
    if args.note_file is None:
        text = args.note
    else:
        try:
            raw = sys.stdin.buffer.read(MAX_NOTE_BYTES + 1) if args.note_file == "-" else _read_head(Path(args.note_file))
        except OSError as exc:
            raise InputError(f"cannot read {args.note_file}: {exc.strerror or exc}") from None
        if len(raw) > MAX_NOTE_BYTES:
            raise InputError(f"{args.note_file}: longer than {MAX_NOTE_BYTES:,} bytes, the longest note pithtui keeps")
        text = raw.decode("utf-8", "replace")
    if text is not None and note_too_long(text):
        raise InputError(f"the note is longer than {MAX_NOTE_BYTES:,} bytes, the longest pithtui keeps")
    return text


def _read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(MAX_NOTE_BYTES + 1)


def describe(paper: Paper, mine: Mine) -> str:
    """One line of what the reader keeps about ``paper``."""
    from pithtui.hub_text import clip
    from pithtui.text import printable

    parts = ["★ starred" if mine.starred else "not starred", "read" if mine.read else "unread"]
    if mine.verdict:
        parts.append(f"your verdict: {mine.verdict}")
    if mine.note:
        first = printable(mine.note.strip().splitlines()[0] if mine.note.strip() else "")
        parts.append(f"note: {clip(first, 40)}" + (" …" if "\n" in mine.note.strip() else ""))
    return f"{clip(printable(paper.display_title), 60)}: " + " · ".join(parts)


def cmd_mark(args: argparse.Namespace, repo: HubRepository) -> int:
    from pithtui.models import MineChange

    verdict = "" if args.clear_verdict else (None if args.verdict is None else _verdict(args.verdict))
    change = MineChange(starred=args.starred, read=args.read, note=_note(args), verdict=verdict)
    paper = repo.resolve(args.ref)
    assert paper.id is not None  # resolve() returns a stored paper
    print(describe(paper, repo.mark(paper.id, change)))
    return 0


def cmd_mine(args: argparse.Namespace, repo: HubRepository) -> int:
    from pithtui.text import json_safe

    if args.action == "export":
        text = json_safe(json.dumps(repo.export_mine(), ensure_ascii=False, indent=2)) + "\n"
        if args.file == "-":
            sys.stdout.write(text)
            return 0
        from pithtui.export import whole_file

        with whole_file(Path(args.file)) as out:
            out.write(text)
        layer = json.loads(text)
        print(f"wrote {args.file}: {len(layer['marks']):,} marked papers, {len(layer['views']):,} saved views", file=sys.stderr)
        return 0
    from pithtui.sources.importer import read

    data = read(args.file).single("a pithtui layer")
    try:
        merged, kept, added = repo.import_mine(data)
    except ValueError as exc:
        raise InputError(f"{args.file}: {exc}; nothing was changed") from None
    print(
        f"merged {merged:,} marked papers and {kept:,} saved views into your layer"
        + (f" ({added:,} papers added, bare)" if added else "")
    )
    return 0
