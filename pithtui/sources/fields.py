"""Reading fields out of untrusted records, with errors that name the record and the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pithtui.errors import InputError


def fail(where: str, field: str, problem: str) -> InputError:
    """An InputError saying which record and field is wrong and how."""
    return InputError(f"{where}: field {field!r} {problem}")


def text(record: dict[str, Any], field: str, where: str, *, required: bool = False) -> str | None:
    """A string field (stripped); None when absent or blank unless ``required``."""
    value = record.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise fail(where, field, "is missing")
        return None
    if not isinstance(value, str):
        raise fail(where, field, f"should be text, not {type(value).__name__}")
    return value.strip()


def number(record: dict[str, Any], field: str, where: str, *, low: float | None = None, high: float | None = None) -> float | None:
    value = record.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise fail(where, field, f"should be a number, not {type(value).__name__}")
    try:
        result = float(value)
    except ValueError:
        raise fail(where, field, f"should be a number, not {value!r}") from None
    if result != result or (low is not None and result < low) or (high is not None and result > high):
        raise fail(where, field, f"is out of range ({value!r})")
    return result


def integer(record: dict[str, Any], field: str, where: str) -> int | None:
    value = number(record, field, where, low=0)
    if value is None:
        return None
    if value != int(value):
        raise fail(where, field, f"should be a whole number, not {record[field]!r}")
    return int(value)


def strings(record: dict[str, Any], field: str, where: str) -> tuple[str, ...]:
    """A list of strings (blank ones dropped); a single string counts as a list of one."""
    value = record.get(field)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(where, field, "should be a list of text")
    return tuple(v.strip() for v in value if v.strip())


def parse_date(value: Any) -> dt.date | None:
    """``2023-05-27``, ``2023-05-27T…`` or a bare year ``2023`` → a date; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.date(value, 1, 1)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    stripped = value.strip()
    if len(stripped) == 4 and stripped.isdigit():
        return dt.date(int(stripped), 1, 1)
    return dt.date.fromisoformat(stripped[:10])


def date(record: dict[str, Any], field: str, where: str) -> dt.date | None:
    try:
        return parse_date(record.get(field))
    except ValueError:
        raise fail(where, field, f"is not a date ({record.get(field)!r})") from None


def flag(record: dict[str, Any], field: str, where: str) -> bool:
    value = record.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise fail(where, field, f"should be true or false, not {value!r}")
    return value
