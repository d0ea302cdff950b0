"""The classifier: two linear heads (roles, polarity) over the features of a citing sentence.

Each head is a multinomial logistic regression over TF-IDF features: a feature occurring ``tf``
times weighs ``tf * idf * w``, and a sentence's weighted sum is divided by the square root of
the sum of ``tf * idf²`` over its features (each head counts only the features it knows). The
weights file gives, for each feature, the product ``idf * w`` for each role and polarity, then
its ``idf²`` for the role head and for the polarity head (0 for a head that does not know it),
with cue groups already folded into their phrases (see :mod:`pithtui.classifier.cues`).

Scoring runs at import speed, so each feature's eleven numbers are packed into one integer of
eleven 64-bit fixed-point fields (each offset to be non-negative, with room for thousands of
features) and a count: summing a sentence's integers sums every field at once, exactly, in any
order, and the sums are unpacked once per sentence. The weights file stores the rows so packed
(compressed, in Base64, beside the features' keys in the same order), so that loading builds
each integer from its bytes without reading a number.

Polarity: a sentence is ``contrasting`` when the probability of contrasting reaches the file's
``contrasting`` threshold, else ``supporting`` when that probability reaches the ``supporting``
threshold, else ``neutral``. Its confident roles are those whose probability reaches the
``role`` threshold, and always its most likely one.
"""

from __future__ import annotations

import array
import base64
import itertools
import math
import operator
import struct
import sys
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pithtui.classifier.features import Feature, features, from_key, readable
from pithtui.classifier.labels import POLARITIES, ROLES, CitationLabel, ContextLabel, aggregate

FORMAT = "pithtui-citation-model/2"
"""The ``format`` of the weights files this module reads."""
CLASSES: tuple[str, ...] = ROLES + POLARITIES
"""The weights of a feature, in order (then its ``idf²`` for the role head and the polarity head)."""
FIELDS = len(CLASSES) + 2
_SCALE = 1 << 24
_OFFSET = 1 << 40
_LIMIT = _OFFSET / _SCALE
"""Largest magnitude of a number of a feature's row: each field stays within [0, 2 * _OFFSET),
so that the sum of a field over up to 2**23 features stays within 64 bits."""
_ROW = struct.Struct(f"<{FIELDS}Q")
"""A feature's row as a weights file stores it."""
_FIELDS = struct.Struct(f"<{FIELDS + 1}Q")
"""A packed row: its :data:`FIELDS` numbers, then a count field of 1 (so that a sum of rows
says how many offsets to take away)."""
_BYTES = _FIELDS.size
_COUNTS = itertools.repeat(1 << (64 * FIELDS))
_LITTLE: itertools.repeat[Literal["little"]] = itertools.repeat("little")
_ROLE_NORM = FIELDS - 2
_POLARITY_NORM = FIELDS - 1
_ROLES = len(ROLES)
_CONTRASTING = POLARITIES.index("contrasting")
_SUPPORTING = POLARITIES.index("supporting")
_NEUTRAL = POLARITIES.index("neutral")
MAX_CUES = 5


_ZEROS = itertools.repeat(0)
_ROLE_RANGE = range(len(ROLES))
_POLARITY_RANGE = range(len(POLARITIES))


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


class Classifier:
    """Labels citing sentences with roles and a polarity; built from a weights file's data."""

    __slots__ = (
        "model_id",
        "trained_on",
        "_rows",
        "_role_bias",
        "_polarity_bias",
        "_role_threshold",
        "_contrasting",
        "_supporting",
        "_cues",
    )

    def __init__(
        self,
        model_id: str,
        trained_on: Mapping[str, Any],
        rows: dict[Feature, int],
        bias: Sequence[float],
        thresholds: tuple[float, float, float],
        cues: dict[Feature, tuple[tuple[int, float, str], ...]],
    ) -> None:
        self.model_id = model_id
        self.trained_on = dict(trained_on)
        self._rows = rows
        self._role_bias = tuple(bias[: len(ROLES)])
        self._polarity_bias = tuple(bias[len(ROLES) :])
        self._role_threshold, self._contrasting, self._supporting = thresholds
        self._cues = cues

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Classifier:
        """The classifier a decoded weights file describes; ValueError naming what is wrong."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        model_id = data.get("model_id")
        if not isinstance(model_id, str) or not model_id:
            raise ValueError("no model_id")
        if data.get("classes") != list(CLASSES):
            raise ValueError(f"classes are not {', '.join(CLASSES)}")
        bias = _numbers(data.get("bias"), len(CLASSES), "bias")
        thresholds = data.get("thresholds")
        if not isinstance(thresholds, Mapping):
            raise ValueError("no thresholds")
        role, contrasting, supporting = (
            _number(thresholds.get(name), f"threshold {name}") for name in ("role", "contrasting", "supporting")
        )
        limits = (role, contrasting, supporting)
        spelled = data.get("features")
        if not isinstance(spelled, str) or not spelled:
            raise ValueError("no features")
        keys = spelled.split("\n")
        rows = _rows(keys, data.get("weights"))
        listed = data.get("cues")
        if not isinstance(listed, Mapping):
            raise ValueError("no cues")
        cues = _cues(listed, rows)
        trained_on = data.get("trained_on", {})
        return cls(model_id, trained_on if isinstance(trained_on, Mapping) else {}, rows, bias, limits, cues)

    def classify(self, text: str) -> ContextLabel | None:
        """The label of one citing sentence; None when it has no words to go on."""
        found = features(text)
        if not found:
            return None
        roles, polarities = self._score(found)
        contrast = polarities[_CONTRASTING]
        if contrast >= self._contrasting:
            pick = _CONTRASTING
        elif polarities[_SUPPORTING] >= self._supporting:
            pick = _SUPPORTING
        else:
            pick = _NEUTRAL
        top = max(roles)
        best = roles.index(top)
        threshold = self._role_threshold
        if top >= threshold and sum(p >= threshold for p in roles) > 1:
            confident = tuple(sorted([(role, p) for role, p in zip(ROLES, roles) if p >= threshold], key=_by_probability))
        else:
            confident = ((ROLES[best], top),)
        return ContextLabel(
            roles=confident,
            polarity=POLARITIES[pick],
            score=polarities[pick],
            contrast=contrast,
            cues=self._explain(found, _ROLES + pick, best),
        )

    def probabilities(self, text: str) -> tuple[dict[str, float], dict[str, float]] | None:
        """The probability of every role and of every polarity for one citing sentence (None as
        for :meth:`classify`)."""
        found = features(text)
        if not found:
            return None
        roles, polarities = self._score(found)
        return dict(zip(ROLES, roles, strict=True)), dict(zip(POLARITIES, polarities, strict=True))

    def _score(self, found: list[Feature]) -> tuple[list[float], list[float]]:
        """The probabilities of the roles and of the polarities (in the order of ROLES and
        POLARITIES) for these features."""
        fields = _FIELDS.unpack(sum(map(self._rows.get, found, _ZEROS)).to_bytes(_BYTES, "little"))
        base = fields[FIELDS] * _OFFSET
        # A field is _SCALE times its sum: dividing by sqrt(_SCALE * norm field) scales both at once.
        norm = fields[_ROLE_NORM] - base
        divisor = math.sqrt(_SCALE * norm) if norm > 0 else _SCALE
        rb = self._role_bias
        roles = _softmax([rb[n] + (fields[n] - base) / divisor for n in _ROLE_RANGE])
        norm = fields[_POLARITY_NORM] - base
        divisor = math.sqrt(_SCALE * norm) if norm > 0 else _SCALE
        pb = self._polarity_bias
        return roles, _softmax([pb[n] + (fields[_ROLES + n] - base) / divisor for n in _POLARITY_RANGE])

    def label(self, contexts: Sequence[str]) -> CitationLabel | None:
        """The label of a citation from its citing sentences; None when none can be classified.

        Polarity: contrasting when any sentence is (confidently: its probability of contrasting
        reaches the threshold), else supporting when any is, else neutral, with the highest
        probability among the sentences that carry it; ``contrast`` is the highest over all of
        them. Roles: the union of the sentences' confident roles, each with its highest
        probability, most likely first (see :func:`pithtui.classifier.labels.aggregate`)."""
        return aggregate([self.classify(text) for text in contexts])

    def _explain(self, found: list[Feature], polarity: int, role: int) -> tuple[str, ...]:
        """The words of ``found`` that weigh most for the polarity and the role, heaviest first,
        none of them part of another."""
        weighed = [
            (weight, text)
            for cues in filter(None, map(self._cues.get, found))
            for index, weight, text in cues
            if index == polarity or index == role
        ]
        if not weighed:
            return ()
        weighed.sort(reverse=True)
        chosen = list(dict.fromkeys([text for _, text in weighed]))[: 2 * MAX_CUES]
        if len(chosen) == 1:
            return (chosen[0],)
        # A cue inside a longer one that also weighed ("contrast" in "in contrast to") says nothing
        # more: it is found in the joined cues more than once (its own place, and inside the other).
        joined = "\n".join([f" {text} " for text in chosen])
        return tuple([text for text in chosen if joined.count(f" {text} ") == 1][:MAX_CUES])


def _by_probability(item: tuple[str, float]) -> tuple[float, int]:
    return (-item[1], ROLES.index(item[0]))


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} is not a number")
    return float(value)


def pack(values: Sequence[float]) -> bytes:
    """A feature's :data:`FIELDS` numbers as a weights file stores them: each in fixed point
    (times 2**24), offset by 2**40, as a little-endian unsigned 64-bit field; ValueError when one
    is beyond ±:data:`_LIMIT`."""
    if len(values) != FIELDS:
        raise ValueError(f"a row has {FIELDS} numbers, not {len(values)}")
    fields = [round(value * _SCALE) + _OFFSET for value in values]
    if min(fields) < 0 or max(fields) >= 2 * _OFFSET:
        raise ValueError(f"a number of a row is beyond ±{_LIMIT:g}")
    return _ROW.pack(*fields)


def encode(rows: Sequence[bytes]) -> str:
    """The ``weights`` of a weights file: its features' packed rows (see :func:`pack`), in the
    order of its ``features``, compressed, in Base64."""
    return base64.b64encode(zlib.compress(b"".join(rows), 9)).decode("ascii")


def _rows(keys: list[str], weights: object) -> dict[Feature, int]:
    """The rows of the features ``keys`` from a weights file's ``weights`` (see :func:`encode`),
    each as one integer with its count field (see :data:`_FIELDS`); ValueError when they do not
    decode to one row of fields within bounds per feature."""
    try:
        if not isinstance(weights, str):
            raise ValueError
        blob = zlib.decompress(base64.b64decode(weights, validate=True))
    except (ValueError, zlib.error):
        raise ValueError("weights are not compressed rows in Base64") from None
    if len(blob) != len(keys) * _ROW.size or len(set(keys)) != len(keys):
        raise ValueError(f"weights do not hold one row of {FIELDS} fields for each of the {len(keys):,} features")
    fields = array.array("Q", blob)
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
        fields.byteswap()
    if max(fields) >= 2 * _OFFSET or min(fields[_ROLE_NORM::FIELDS] + fields[_POLARITY_NORM::FIELDS]) < _OFFSET:
        raise ValueError(f"weights hold a number beyond ±{_LIMIT:g} or a negative norm")
    size = _ROW.size
    packed = map(int.from_bytes, [blob[start : start + size] for start in range(0, len(blob), size)], _LITTLE)
    features = [tuple(key.split(" ")) if " " in key else key for key in keys]
    return dict(zip(features, map(operator.add, packed, _COUNTS), strict=True))


def _numbers(values: object, count: int, what: str) -> list[float]:
    if not isinstance(values, list) or len(values) != count:
        raise ValueError(f"{what} is not a list of {count} numbers")
    return [_number(value, what) for value in values]


def _cues(listed: Mapping[str, Any], rows: Mapping[Feature, int]) -> dict[Feature, tuple[tuple[int, float, str], ...]]:
    """Each cue feature (listed under a class's name with its weight for that class) → for each
    class it is a cue of, (the class's index in CLASSES, the weight, the feature's text)."""
    cues: dict[Feature, tuple[tuple[int, float, str], ...]] = {}
    for index, name in enumerate(CLASSES):
        weighed = listed.get(name, {})
        if not isinstance(weighed, Mapping):
            raise ValueError(f"cues of {name} are not a mapping")
        for spelled, weight in weighed.items():
            feature = from_key(str(spelled))
            text = readable(feature)
            if text is None or feature not in rows:
                raise ValueError(f"cue {spelled!r} is not a feature of the sentence's words")
            cues[feature] = (*cues.get(feature, ()), (index, _number(weight, f"weight of cue {spelled!r}"), text))
    return cues
