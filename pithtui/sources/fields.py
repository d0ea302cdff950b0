"""Reading fields out of untrusted records, with errors that name the record and the field."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pithtui.errors import InputError
from pithtui.identifiers import arxiv_from_doi, normalize_arxiv, normalize_doi
from pithtui.models import Citation, Paper


def fail(where: str, field: str, problem: str) -> InputError:
    """An InputError saying which record and field is wrong and how."""
    return InputError(f"{where}: field {field!r} {problem}")


def text(record: dict[str, Any], field: str, where: str, *, required: bool = False) -> str | None:
    """A string field (stripped); None when absent or blank unless ``required``."""
    value = record.get(field)
    if isinstance(value, str):
        value = value.strip()
        if value:
            return value
    elif value is not None:
        raise fail(where, field, f"should be text, not {type(value).__name__}")
    if required:
        raise fail(where, field, "is missing")
    return None


INTEGER_MAX = 2**31 - 1
"""The largest count every backend stores in an INTEGER column (PostgreSQL's is 32 bits)."""

BIGINT_MAX = 2**63 - 1
"""The largest identifier number (a Semantic Scholar CorpusId) a BIGINT column stores."""


def number(
    record: dict[str, Any], field: str, where: str, *, low: float | None = None, high: float | None = None
) -> float | None:
    value = record.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise fail(where, field, f"should be a number, not {type(value).__name__}")
    try:
        result = float(value)
    except ValueError:
        raise fail(where, field, f"should be a number, not {value!r}") from None
    except OverflowError:  # an integer beyond any float
        raise fail(where, field, f"is out of range ({value!r})") from None
    if not math.isfinite(result) or (low is not None and result < low) or (high is not None and result > high):
        raise fail(where, field, f"is out of range ({value!r})")
    return result


def integer(record: dict[str, Any], field: str, where: str, *, high: int = INTEGER_MAX) -> int | None:
    """A whole number from 0 to ``high`` (what the store's column holds on every backend)."""
    value = record.get(field)
    if type(value) is int and 0 <= value <= high:
        return value  # the usual case, without the detour through float that checks the rest
    value = number(record, field, where, low=0)
    if value is None:
        return None
    if value != int(value):
        raise fail(where, field, f"should be a whole number, not {record[field]!r}")
    if int(value) > high:
        raise fail(where, field, f"is out of range ({record[field]!r})")
    return int(value)


def strings(record: dict[str, Any], field: str, where: str) -> tuple[str, ...]:
    """A list of strings (blank ones dropped); a single string counts as a list of one."""
    value = record.get(field)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        try:
            return tuple(filter(None, map(str.strip, value)))
        except TypeError:  # str.strip of something else than text
            pass
    raise fail(where, field, "should be a list of text")


def parse_date(value: Any) -> dt.date | None:
    """``2023-05-27``, ``2023-05-27T…`` or a bare year ``2023`` → a date; ValueError otherwise,
    also for a year outside the calendar's range (1 to 9999)."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if not dt.MINYEAR <= value <= dt.MAXYEAR:
            raise ValueError(f"year out of range: {value!r}")
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


# ---------------------------------------------------------------- shared by the source parsers


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record a parser passed over, and why: counted and reported by the import, never stored.

    Used for what a service legitimately sends but cannot be stored (a citation whose citing
    paper is null, a batch slot for an id it did not find), where failing the whole file would
    be wrong.
    """

    where: str
    reason: str


Record = Paper | Citation | Skipped
"""What a parser turns a document into."""


def obj(record: dict[str, Any], field: str, where: str) -> dict[str, Any] | None:
    """A nested object field; None when absent or null."""
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise fail(where, field, f"should be an object, not {type(value).__name__}")
    return value


def items(record: dict[str, Any], field: str, where: str) -> list[Any]:
    """A list field; [] when absent or null."""
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(where, field, f"should be a list, not {type(value).__name__}")
    return value


def names(record: dict[str, Any], field: str, where: str, key: str) -> tuple[str, ...]:
    """The ``key`` text of each object in a list field (authors, fields of study, topics)."""
    values = items(record, field, where)
    try:
        return unique([item[key].strip() for item in values])  # the usual case: text in every object
    except (TypeError, KeyError, AttributeError):  # spelt out below: what is wrong, or only missing
        pass
    found: list[str] = []
    for index, item in enumerate(values):
        if not isinstance(item, dict):
            raise fail(where, f"{field}[{index}]", f"should be an object, not {type(item).__name__}")
        value = item.get(key)
        if isinstance(value, str):
            found.append(value.strip())
        elif value is not None:  # the location is spelt out only for the error: this runs per author
            text(item, key, f"{where}: {field}[{index}]")
    return unique(found)


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """The non-blank values, first occurrence kept, order kept."""
    return tuple(dict.fromkeys(filter(None, values)))


def folded(value: str | None) -> str | None:
    """Runs of whitespace (the line breaks of Atom titles, BibTeX fields) folded to one space."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def arxiv_id(arxiv_text: str | None, where: str, field: str) -> str | None:
    """An arXiv id field normalised (``arXiv:2305.17493v2`` → ``2305.17493``)."""
    if not arxiv_text:
        return None
    found = normalize_arxiv(arxiv_text)
    if found is None:
        raise fail(where, field, f"is not an arXiv id ({arxiv_text!r})")
    return found


def doi_and_arxiv(doi_text: str | None, where: str, field: str) -> tuple[str | None, str | None]:
    """A DOI field normalised, and the arXiv id inside it when it is an arXiv DOI."""
    if not doi_text:
        return None, None
    doi = normalize_doi(doi_text)
    if doi is None:
        raise fail(where, field, f"is not a DOI ({doi_text!r})")
    return doi, arxiv_from_doi(doi)


def same_paper(a: Paper, b: Paper) -> bool:
    """True when two records share an identifier (the repository would merge them)."""
    return not a.identifiers.items().isdisjoint(b.identifiers.items())


def with_hub(papers: Iterable[Paper], hub: Paper | None, source: str) -> list[Record]:
    """Plain papers as stored papers, or, given the hub the user named, as its citing papers
    (the hub itself, when the file holds it too, stays a plain paper)."""
    if hub is None:
        return list(papers)
    return [paper if same_paper(paper, hub) else Citation(citing=paper, cited=hub, source=source) for paper in papers]
