"""A search tested against one paper's own title and summary, in Python, as SQLite's full-text
index (FTS5) answers it.

Why: asking FTS5 for the papers that match a common word builds the list of all of them
before the first row of a page can be picked, and asking it about one paper at a time is slower
still for a word being typed (a prefix is merged from every word it starts). When most papers
match, walking the hub in its sort order and testing each paper's text here finds a page of
matches after a few hundred papers.

The rules are FTS5's, and so is the alphabet: which characters are parts of words and how each
is folded (lower case, without diacritics) is asked of FTS5 itself, once per character met, so
that the two agree on every script. A term of the search matches when its words follow one
another in the title or in the summary, the last word as a prefix; every term must match.
"""

from __future__ import annotations

import re
import sqlite3
import string
import threading
from collections.abc import Callable
from functools import lru_cache

from pithtui.store.schema import FTS_TOKENIZER

_ASCII_WORD_CHARACTERS = string.ascii_letters + string.digits
_ASCII_FOLDING = bytes(ord(c.lower()) if c in _ASCII_WORD_CHARACTERS else ord(" ") for c in map(chr, range(256)))
"""``bytes.translate``'s table for ASCII text: letters lower-cased, digits kept, anything else
a space (FTS5's rule for ASCII, the common case, without a dictionary look-up per character)."""


class _Folding(dict[int, str]):
    """``str.translate``'s table for any text: each character as it is in an FTS5 word (lower
    case, no diacritic; a combining diacritic alone becomes nothing), or a space where FTS5
    separates words. Filled in as characters are met, by asking FTS5 how it splits "a{c}b"."""

    def __init__(self) -> None:
        super().__init__({code: chr(_ASCII_FOLDING[code]) for code in range(128)})
        self._lock = threading.Lock()
        self._probe: sqlite3.Connection | None = None

    def __missing__(self, code: int) -> str:
        with self._lock:
            if self._probe is None:
                self._probe = sqlite3.connect(":memory:", check_same_thread=False)
                self._probe.execute(f"CREATE VIRTUAL TABLE words USING fts5(text, tokenize='{FTS_TOKENIZER}')")
                self._probe.execute("CREATE VIRTUAL TABLE terms USING fts5vocab(words, 'instance')")
            self._probe.execute("INSERT INTO words(rowid, text) VALUES (1, ?)", (f"a{chr(code)}b",))
            tokens = [term for (term,) in self._probe.execute("SELECT term FROM terms ORDER BY offset")]
            self._probe.execute("DELETE FROM words")
        folded = self[code] = tokens[0][1:-1] if len(tokens) == 1 else " "
        return folded


_FOLDING = _Folding()


def words_of(text: str | None) -> str:
    """``text`` as FTS5 reads it: its words folded, every other character a space, after a
    leading space (" gpt 4  model"), so that a word's start is a space before it."""
    if not text:
        return ""
    if text.isascii():
        return " " + text.encode().translate(_ASCII_FOLDING).decode()
    return " " + text.translate(_FOLDING)


Matcher = Callable[[str | None, str | None], bool]


def _finder(words: list[str]) -> Callable[[str], bool]:
    """Whether a text read by :func:`words_of` has ``words`` (folded) in a row at a word's
    start, the last as a prefix (FTS5's phrase with a prefix): one word is looked for as a
    substring."""
    if len(words) == 1:
        start = " " + words[0]
        return lambda text: start in text
    return re.compile(" " + " +".join(map(re.escape, words))).search  # type: ignore[return-value]


def _nothing(title: str | None, summary: str | None) -> bool:
    return False


@lru_cache(maxsize=64)
def text_matcher(terms: tuple[tuple[str, ...], ...]) -> Matcher:
    """A test of (title, summary) for the search ``terms`` (as ``pithtui.text.search_terms``
    splits a query, as tuples): True when the full-text index lists the paper for them."""
    # Each term's words as FTS5 reads them. A term of none (characters FTS5 does not count as
    # letters, though Python does) is left out, as FTS5 leaves out an empty phrase; a search
    # of nothing else matches nothing.
    phrases = [words for words in (words_of(" ".join(term)).split() for term in terms) if words]
    if not phrases:
        return _nothing
    finders = [_finder(words) for words in phrases]
    # Each term's first word: an ASCII text that has the term has that word as it is, lower-
    # cased, so a text lacking it is turned down without being read word by word (most texts,
    # when a page of a rarer word is looked for).
    firsts = [words[0] for words in phrases]

    def matches(title: str | None, summary: str | None) -> bool:
        title, summary = title or "", summary or ""
        if title.isascii() and summary.isascii():
            lower_title, lower_summary = title.lower(), summary.lower()
            for first in firsts:
                if first not in lower_title and first not in lower_summary:
                    return False
        in_title = words_of(title)
        in_summary = None  # read only when the title lacks a term
        for found in finders:
            if found(in_title):
                continue
            if in_summary is None:
                in_summary = words_of(summary)
            if not found(in_summary):
                return False
        return True

    return matches
