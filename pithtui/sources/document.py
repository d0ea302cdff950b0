"""A file read for import: its name, its text and, when it is JSON or JSON Lines, its values.

Decoding and JSON parsing happen once, here, so format detection and every parser see the
same values, and a malformed or truncated file fails with one message that names the file.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from pithtui.errors import InputError


@dataclass(frozen=True)
class Document:
    name: str
    """How messages name the file: its path, or ``<stdin>``."""
    text: str
    values: tuple[Any, ...] | None = None
    """The JSON value, or one value per line of JSON Lines; None when the text is not JSON."""
    lines: tuple[int, ...] = ()
    """For JSON Lines, the line number of each value (for messages)."""
    notes: tuple[str, ...] = ()
    """What reading changed in the file's values, for the import's report."""

    @property
    def is_json(self) -> bool:
        return self.values is not None

    def entries(self) -> Iterator[tuple[Any, str]]:
        """Each JSON value with how a message names it (the file, or the file and line)."""
        for index, value in enumerate(self.values or ()):
            yield value, (f"{self.name}: line {self.lines[index]}" if self.lines else self.name)

    def first(self) -> Any:
        """The first JSON record: the value itself, or the first item of a top-level list."""
        if not self.values:
            return None
        value = self.values[0]
        if isinstance(value, list):
            return value[0] if value else None
        return value

    def single(self, what: str) -> Any:
        """The one JSON value of a format that does not come as JSON Lines."""
        if self.values is None or len(self.values) != 1:
            raise InputError(f"{self.name}: not {what} (expected one JSON document)")
        return self.values[0]


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); InputError for empty or binary input."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    if not text.strip():
        raise InputError(f"{name}: the file is empty")
    if "\x00" in text:
        raise InputError(f"{name}: not a text file (it contains NUL bytes)")
    return text


def _ends_too_soon(exc: json.JSONDecodeError, text: str) -> bool:
    """True when the JSON broke because the text stopped (a truncated file or download)."""
    if exc.msg.startswith("Unterminated string"):
        return '"' not in text[exc.pos + 1 :]
    return exc.pos >= len(text.rstrip()) - 1


def _json_problem(name: str, exc: json.JSONDecodeError, text: str) -> InputError:
    hint = "; the file ends too soon (truncated?)" if _ends_too_soon(exc, text) else ""
    return InputError(f"{name}: not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno}{hint})")


def _json_lines(text: str, name: str) -> Document | None:
    """``text`` as JSON Lines (one value per non-blank line), or None if its first line is not
    a JSON value on its own (then it is not JSON Lines at all)."""
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(numbered) < 2:
        return None
    try:
        first = json.loads(numbered[0][1])
    except json.JSONDecodeError:
        return None
    values = [first]
    for number, line in numbered[1:]:
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as exc:
            hint = "; the file ends too soon (truncated?)" if number == numbered[-1][0] and _ends_too_soon(exc, line) else ""
            raise InputError(f"{name}: line {number} is not valid JSON ({exc.msg}: column {exc.colno}{hint})") from None
    return Document(name, text, tuple(values), tuple(number for number, _ in numbered))


_MAX_DIGITS = sys.get_int_max_str_digits()
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
"""A ``\\u0000`` escape in JSON text (a backslash not itself escaped, then u0000)."""


def without_nul(text: str) -> str:
    """JSON text with its NUL characters (``\\u0000`` escapes) left out of every string.

    A NUL is never part of a title or a name, and PostgreSQL cannot store one (SQLite can):
    dropped here, a file imports the same on both backends instead of failing on one."""
    return _NUL_ESCAPE.sub(r"\1", text) if "\\u0000" in text else text


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A ``\\uD800``-``\\uDFFF`` escape in JSON text: half of a UTF-16 pair, or a lone one."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend(value: Any, count: list[int]) -> Any:
    """``value`` with every lone surrogate in its strings replaced by U+FFFD (counted)."""
    if isinstance(value, str):
        mended, found = _SURROGATE.subn("\ufffd", value)
        count[0] += found
        return mended
    if isinstance(value, list):
        return [_mend(item, count) for item in value]
    if isinstance(value, dict):
        return {_mend(key, count): _mend(item, count) for key, item in value.items()}
    return value


def _checked(document: Document) -> Document:
    """``document`` with its lone surrogates (which no store can encode) replaced by U+FFFD,
    saying how many."""
    values = document.values or ()
    if not _SURROGATE_ESCAPE.search(document.text):
        return document
    count = [0]
    mended = tuple(_mend(value, count) for value in values)
    if not count[0]:
        return document
    note = f"replaced {count[0]} unpaired UTF-16 surrogate{'s' if count[0] != 1 else ''} with U+FFFD"
    return replace(document, values=mended, notes=(*document.notes, note))


def load(data: bytes, name: str) -> Document:
    """A Document from a file's bytes: JSON, JSON Lines, or other text (XML, BibTeX)."""
    text = decode(data, name)
    if text.lstrip()[:1] not in ("{", "["):
        return Document(name, text)
    text = without_nul(text)
    try:
        try:
            return _checked(Document(name, text, (json.loads(text),)))
        except json.JSONDecodeError as exc:
            lines = _json_lines(text, name)
            if lines is None:
                raise _json_problem(name, exc, text) from None
            return _checked(lines)
    except RecursionError:
        raise InputError(f"{name}: not a record pithtui reads (JSON nested too deeply)") from None
    except ValueError:  # not a JSONDecodeError: Python's limit on the digits of a number
        raise InputError(f"{name}: not valid JSON as pithtui reads it (a number of more than {_MAX_DIGITS} digits)") from None
