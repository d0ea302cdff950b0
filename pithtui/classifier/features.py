"""A citing sentence → its features: the one function that training and inference share.

The text is cut to a bounded window (around its first reference marker when it is long) and
lower-cased; markup is dropped, ``n't`` becomes ``not``, and every reference marker of any style
(``[12]``, ``[3-5, 9]``, ``[BCK+20]``, ``(Smith et al., 2019)``, ``(20, 31)``, ``#AUTHOR_TAG``)
becomes the token ``§``. Its words are runs of letters: digits and punctuation only separate
them, and a sentence holding a number (other than in a marker) gets the feature ``#`` once.

The features, with repeats (the model weighs a feature by how often it occurs): every word,
every pair of adjacent words (as a tuple, with ``^`` and ``$`` marking the sentence's ends) and
each cue phrase of three words or more that it holds (see :mod:`pithtui.classifier.cues`, whose
cue groups training adds with :func:`pithtui.classifier.cues.groups`).
"""

from __future__ import annotations

import re

from pithtui.classifier.cues import LONG_CUE_WORDS, LONG_CUES

Feature = str | tuple[str, ...]
"""One word (or a special token: ``#``, ``+group``), or a run of words as a tuple."""

MAX_CHARS = 2000
"""A text longer than this is cut to a window of this size before it is read."""
SCAN_CHARS = 100_000
"""How far into a long text its first reference marker is looked for."""
CITE = "§"
"""The token every reference marker becomes."""
NUMBER = "#"
"""The feature of a sentence that holds a number."""
_SPECIAL = frozenset((CITE, NUMBER, "^", "$"))

_YEAR = r"(?:1[89]|20)\d\d[a-z]?"
_MARKER = re.compile(  # on lower-cased text; every branch starts with a literal, so the scan is fast
    r"#author_tag[a-z]?"
    r"|\[\s*\d{1,4}(?:\s*[-–—,;]\s*\d{1,4}){0,40}\s*\]"  # [12], [1, 3-5]
    r"|\[[a-z][a-z+.-]{0,15}\d{2,4}[a-z]?(?:\s*[,;]\s*[a-z][a-z+.-]{0,15}\d{2,4}[a-z]?){0,20}\]"  # [bck+20]
    r"|\((?=[^()]{0,300}?\b" + _YEAR + r")[^()]{0,300}\)"  # (smith et al., 2019; lee 2020)
    r"|\(\s*\d{1,4}(?:\s*[-–—,;]\s*\d{1,4}){0,40}\s*\)",  # (12), (20,31,34)
)
_MARKUP = re.compile(r"<[^<>]{0,300}>|\[/?[a-z]{1,10}(?:=[^\]\[]{0,100})?\]|&#?\w{1,8};")
_NOT = re.compile(r"n['’]t\b")
_DIGIT = re.compile(r"[0-9]")
_WORD = re.compile(r"[a-zß-öø-ÿ§]+")


def window(text: str) -> str:
    """At most :data:`MAX_CHARS` of ``text``: all of it when short, else the stretch centred on
    its first reference marker (looked for in its first :data:`SCAN_CHARS`), else its start."""
    if len(text) <= MAX_CHARS:
        return text
    found = _MARKER.search(text[:SCAN_CHARS].lower())
    start = 0 if found is None else max(0, found.start() - MAX_CHARS // 2)
    return text[start : start + MAX_CHARS]


def features(text: str) -> list[Feature]:
    """The features of ``text`` (see the module's docstring); empty when it has no words."""
    text = window(text).lower()
    if "<" in text or "[/" in text or "&" in text:
        text = _MARKUP.sub(" ", text)
    if "'t" in text or "’t" in text:
        text = _NOT.sub(" not", text)
    text = _MARKER.sub(" § ", text)
    words = _WORD.findall(text)
    if words.count(CITE) == len(words):
        return []
    bounded = ["^", *words, "$"]
    found: list[Feature] = [*words, *zip(bounded, bounded[1:])]
    if _DIGIT.search(text):
        found.append(NUMBER)
    if not LONG_CUE_WORDS.isdisjoint(words):
        joined = f" {' '.join(words)} "
        for phrases in filter(None, map(LONG_CUES.get, zip(words, words[1:], words[2:]))):
            found += [phrase for phrase in phrases if f" {' '.join(phrase)} " in joined]
    return found


def readable(feature: Feature) -> str | None:
    """``feature`` as the words of the sentence it stands for (``fails to``), or None when it is
    not words of the sentence (a marker, a sentence end, a number, a cue group)."""
    if isinstance(feature, tuple):
        return None if _SPECIAL.intersection(feature) else " ".join(feature)
    return None if feature in _SPECIAL or feature.startswith("+") else feature


def key(feature: Feature) -> str:
    """``feature`` as a weights file spells it: words joined by single spaces."""
    return feature if isinstance(feature, str) else " ".join(feature)


def from_key(spelled: str) -> Feature:
    """The feature a weights file's key spells (the inverse of :func:`key`)."""
    return tuple(spelled.split(" ")) if " " in spelled else spelled
