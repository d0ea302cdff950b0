"""Making untrusted text safe to show: one helper for the CLI and the TUI alike.

Titles, abstracts and summaries come from outside. Shown raw they could carry terminal escape
sequences, other control characters or bidirectional overrides that reorder what a reader
sees. ``printable`` keeps every other character (markup-looking brackets included: callers
render it as plain text, never as markup) and folds line breaks and tabs into spaces.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline) and C1 controls, DEL
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides, isolates
)
_SPACES = re.compile(r"[\t\n]+")


def printable(text: str | None, *, keep_newlines: bool = False) -> str:
    """``text`` without control characters or bidi controls; None becomes ''."""
    if not text:
        return ""
    cleaned = _UNSAFE.sub("", text)
    if keep_newlines:
        return cleaned.replace("\t", " ")
    return _SPACES.sub(" ", cleaned)


SHOWN_CHARS = 10_000
"""The most of one value (a title, an abstract, a citing sentence) a screen or ``show`` prints:
values are stored and exported whole, but no single one can make a screen slow to draw."""


def clipped(text: str | None, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was longer; None becomes ''."""
    if not text:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(text: str | None, *, keep_newlines: bool = False) -> str:
    """``text`` as a screen or ``show`` prints it: :func:`clipped`, then :func:`printable`."""
    return printable(clipped(text), keep_newlines=keep_newlines)


def json_safe(text: str) -> str:
    """JSON text with every character :func:`printable` would drop written as a ``\\u`` escape
    (``json.dumps`` escapes C0 controls but not DEL, C1 controls or bidi overrides): the same
    data, but nothing a terminal would act on."""
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 citing paper``, ``8 citing papers``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def cites_phrase(cited_by: int) -> str:
    """The hub page's headline count: ``30 papers cite this work``, ``1 paper cites this work``."""
    return f"{counted(cited_by, 'paper cites', 'papers cite')} this work"


def showing_sentence(matched: int, total: int) -> str:
    """The explorer's footer, as the hub page words it."""
    return f"Showing {matched} of {counted(total, 'citing paper')} after filters."


_WORD = re.compile(r"[^\W_]+")


def search_terms(query: str) -> list[list[str]]:
    """A search box's text as terms, each a run of words: ``"GPT-4 coll"`` → ``[["gpt", "4"],
    ["coll"]]``. A paper matches when, for every term, its title or summary has those words in a
    row, the last one as a prefix (so the word being typed matches already). Punctuation only
    separates words; it is never interpreted. Words are lower-cased, not case-folded: the
    full-text indexes lower-case the titles they hold, and folding "Straße" to "strasse" would
    miss the title's own word."""
    terms = (_WORD.findall(chunk.lower()) for chunk in query.split())
    return [term for term in terms if term]


_PASSWORD = re.compile(r"([^:/@\s]*):([^@/\s]*)@")


def masked_url(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``***``."""
    return _PASSWORD.sub(r"\1:***@", url)


TITLE_KEY_LENGTH = 120
"""How much of a casefolded title the sort column keeps (enough to order, small to index)."""


def title_key(title: str) -> str:
    """The casefolded, space-folded title prefix that titles sort and match on."""
    return " ".join(title.casefold().split())[:TITLE_KEY_LENGTH]
