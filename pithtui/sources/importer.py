"""``pithtui import``: a file (or standard input) → records → one upsert.

Each file is read and parsed whole before anything is written, then stored in one
repository upsert, which is one transaction: a file that fails anywhere stores nothing of
itself, and its error names the file, the record and the field. Records that cannot be stored
(a null citing paper, neither a title nor an identifier) and exact repeats are skipped and
counted, not fatal. The contexts of the citations stored are labelled by pithtui's citation
classifier in the same transaction; without a usable model file they are stored unlabelled,
and the report says why.
"""

from __future__ import annotations

import gc
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pithtui.errors import InputError, ModelFileError, StoreError, UnknownPaper
from pithtui.identifiers import parse_reference
from pithtui.models import Citation, ImportResult, Paper
from pithtui.sources import formats
from pithtui.sources.citation_model import load_classifier
from pithtui.sources.document import Document, load
from pithtui.sources.fields import Record, Skipped
from pithtui.store import HubRepository

STDIN = "-"
NOTES_SHOWN = 3
"""Skip reasons listed per file; the rest are counted."""

if TYPE_CHECKING:  # the scoring code is loaded only where it runs
    from pithtui.classifier import Classifier


@dataclass(frozen=True)
class FileImport:
    """What importing one file did."""

    name: str
    format: str
    result: ImportResult

    def summary(self) -> str:
        """One line for the CLI."""
        r = self.result
        parts = [
            f"{r.papers_added} paper{'s' if r.papers_added != 1 else ''} added",
            f"{r.papers_updated} updated",
            f"{r.citations_added} citation{'s' if r.citations_added != 1 else ''} added",
            f"{r.citations_updated} updated",
        ]
        if r.skipped:
            parts.append(f"{r.skipped} skipped")
        tail = "" if r.changed else " (nothing new)"
        return f"{self.name} [{self.format}]: {', '.join(parts)}{tail}"


MAX_BYTES = 1 << 30
"""The largest file ``import`` reads (1 GiB; ``PITHTUI_MAX_IMPORT_BYTES`` sets another): a
file is parsed whole in memory, several times its size, so a far bigger one (or an endless
stream such as /dev/zero) is refused before it exhausts memory."""
CHUNK = 1 << 20


def max_bytes() -> int:
    value = os.environ.get("PITHTUI_MAX_IMPORT_BYTES", "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_BYTES


def _read_capped(stream: BinaryIO, name: str, limit: int) -> bytes:
    """Everything ``stream`` holds, refused once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise InputError(f"{name}: larger than {limit:,} bytes, the most pithtui imports (PITHTUI_MAX_IMPORT_BYTES)")
        chunks.append(chunk)
    return b"".join(chunks)


def _readable(fd: int, name: str) -> None:
    """Refuse what is neither a regular file, a pipe nor a terminal (a device such as /dev/zero,
    a socket)."""
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or os.isatty(fd)):
        raise InputError(f"{name}: not a file or a pipe (a device or a socket), so not read")


def read(path: str) -> Document:
    """The Document at ``path`` (``-`` for standard input): a regular file or a pipe, at most
    :func:`max_bytes` long."""
    limit = max_bytes()
    if path == STDIN:
        stdin = sys.stdin.buffer
        _readable(stdin.fileno(), "<stdin>")
        return load(_read_capped(stdin, "<stdin>", limit), "<stdin>")
    target = Path(path)
    try:
        with target.open("rb") as stream:
            _readable(stream.fileno(), path)
            data = _read_capped(stream, path, limit)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    return load(data, path)


def hub_paper(repo: HubRepository, ref: str) -> Paper:
    """The paper ``--hub REF`` names, as a bare record of its identifiers: the stored paper's,
    or the one REF spells. Bare, so that it only links: an empty title and no other values
    never overwrite what the file itself or the store says about the paper."""
    try:
        stored = repo.resolve(ref)
    except UnknownPaper:
        parsed = parse_reference(ref)
        if parsed.column is None:
            raise InputError(
                f"--hub {ref!r}: no paper in the store has that title; name the paper by an identifier "
                "(arXiv id, DOI, CorpusId:N, Semantic Scholar or OpenAlex id)"
            ) from None
        identifier: dict[str, Any] = {parsed.column: parsed.value}
        return Paper(title="", **identifier)
    return Paper(title="", **stored.identifiers) if stored.identifiers else Paper(title=stored.title)


def _storable(paper: Paper) -> bool:
    return bool(paper.title or paper.identifiers)


def screen(records: list[Record]) -> tuple[list[Paper | Citation], list[Skipped]]:
    """The records to store, and those to skip: parser skips, exact repeats, and records of a
    paper with neither a title nor an identifier (nothing to show it by or merge it on)."""
    kept: dict[Paper | Citation, int] = {}
    skipped: list[Skipped] = []
    for index, record in enumerate(records):
        if isinstance(record, Skipped):
            skipped.append(record)
        elif not all(_storable(p) for p in ((record.citing, record.cited) if isinstance(record, Citation) else (record,))):
            skipped.append(Skipped(f"record {index + 1}", "a paper with neither a title nor an identifier"))
        elif kept.setdefault(record, index) != index:  # one hash of the record, which is costly
            skipped.append(Skipped(f"record {index + 1}", "an exact repeat of an earlier one"))
    return list(kept), skipped


def _notes(skipped: list[Skipped]) -> tuple[str, ...]:
    notes = [f"skipped {s.where}: {s.reason}" for s in skipped[:NOTES_SHOWN]]
    if len(skipped) > NOTES_SHOWN:
        notes.append(f"… and {len(skipped) - NOTES_SHOWN} more skipped")
    return tuple(notes)


def classifier_for(records: list[Paper | Citation]) -> tuple[Classifier | None, tuple[str, ...]]:
    """The classifier that labels these records' contexts (loaded only when some citation has
    one), or None and a note saying why they stay unlabelled."""
    if not any(isinstance(record, Citation) and record.contexts for record in records):
        return None, ()
    try:
        return load_classifier(), ()
    except ModelFileError as exc:
        return None, (f"citations left unclassified: {exc}",)


def store(repo: HubRepository, name: str, records: list[Record]) -> ImportResult:
    """Screen ``records`` and store them in one upsert (one transaction), their contexts labelled."""
    kept, skipped = screen(records)
    classifier, notes = classifier_for(kept)
    try:
        result = repo.upsert(kept, classifier)
    except StoreError as exc:
        raise StoreError(f"{name}: {exc}; nothing of it was stored") from None
    return replace(result, skipped=result.skipped + len(skipped), notes=result.notes + notes + _notes(skipped))


@contextmanager
def bulk() -> Iterator[None]:
    """Cyclic garbage collection paused while a big file is read, parsed and stored: that makes
    hundreds of thousands of small acyclic objects, and the collector's passes over them,
    repeated as they grow, free nothing yet cost a large share of the import. Reference
    counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_document(repo: HubRepository, doc: Document, format_name: str = formats.AUTO, hub: Paper | None = None) -> FileImport:
    """Parse ``doc`` whole, then store it in one transaction."""
    with bulk():
        try:
            used, records = formats.parse(doc, format_name, hub)
        except RecursionError:  # values nested deeper than any record, walked by a parser
            raise InputError(f"{doc.name}: not a record pithtui reads (JSON nested too deeply)") from None
        done = store(repo, doc.name, records)
        return FileImport(doc.name, used, replace(done, notes=doc.notes + done.notes) if doc.notes else done)


def import_path(repo: HubRepository, path: str, format_name: str = formats.AUTO, hub: Paper | None = None) -> FileImport:
    with bulk():
        return import_document(repo, read(path), format_name, hub)
