"""The classifier: two linear heads (roles, polarity) over the features of a citing sentence.

Each head is a multinomial logistic regression over TF-IDF features: a feature occurring ``tf``
times weighs ``tf * idf * w``, and a sentence's weighted sum is divided by the square root of
the sum of ``tf * idf²`` over its features (each head counts only the features it knows). The
weights file gives, for each feature, the product ``idf * w`` for each role and polarity, then
its ``idf²`` for the role head and for the polarity head (0 for a head that does not know it),
with cue groups already folded into their phrases (see :mod:`pithtui.classifier.cues`).

Scoring runs at import speed, so each feature's eleven numbers are packed into one integer of
eleven 64-bit fixed-point fields (each offset to be non-negative, with room for thousands of
features): summing a sentence's integers sums every field at once, exactly, in any order, and
the sums are unpacked once per sentence.

Polarity: a sentence is ``contrasting`` when the probability of contrasting reaches the file's
``contrasting`` threshold, else ``supporting`` when that probability reaches the ``supporting``
threshold, else ``neutral``. Its confident roles are those whose probability reaches the
``role`` threshold, and always its most likely one.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from pithtui.classifier.features import Feature, features, from_key, readable
from pithtui.classifier.labels import POLARITIES, ROLES, CitationLabel, ContextLabel, aggregate

FORMAT = "pithtui-citation-model/1"
"""The ``format`` of the weights files this module reads."""
CLASSES: tuple[str, ...] = ROLES + POLARITIES
"""The weights of a feature, in order (then its ``idf²`` for the role head and the polarity head)."""
FIELDS = len(CLASSES) + 2
_SCALE = 1 << 24
_OFFSET = 1 << 40
_LIMIT = _OFFSET / _SCALE
"""Largest magnitude of a number of a feature's row: each field stays within [0, 2 * _OFFSET),
so that the sum of a field over up to 2**23 features stays within 64 bits."""
_FIELDS = struct.Struct(f"<{FIELDS}Q")
_BYTES = _FIELDS.size
_CONTRASTING = POLARITIES.index("contrasting")
_SUPPORTING = POLARITIES.index("supporting")
_NEUTRAL = POLARITIES.index("neutral")
MAX_CUES = 5


def _softmax(logits: Sequence[float]) -> list[float]:
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
        weights = data.get("features")
        if not isinstance(weights, Mapping) or not weights:
            raise ValueError("no features")
        rows = _rows(weights)
        listed = data.get("cues")
        if not isinstance(listed, Mapping):
            raise ValueError("no cues")
        cues = _cues(listed, weights)
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
        ranked = sorted(zip(roles, ROLES), reverse=True)
        threshold = self._role_threshold
        confident = tuple([(role, p) for p, role in ranked if p >= threshold] or [(ranked[0][1], ranked[0][0])])
        return ContextLabel(
            roles=confident,
            polarity=POLARITIES[pick],
            score=polarities[pick],
            contrast=contrast,
            cues=self._explain(found, len(ROLES) + pick, ROLES.index(ranked[0][1])),
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
        rows = list(filter(None, map(self._rows.get, found)))
        base = len(rows) * _OFFSET
        fields = [field - base for field in _FIELDS.unpack(sum(rows).to_bytes(_BYTES, "little"))]
        # A field is _SCALE times its sum: dividing by sqrt(_SCALE * norm field) scales both at once.
        role_divisor = math.sqrt(_SCALE * fields[-2]) if fields[-2] > 0 else _SCALE
        polarity_divisor = math.sqrt(_SCALE * fields[-1]) if fields[-1] > 0 else _SCALE
        roles = _softmax([b + f / role_divisor for b, f in zip(self._role_bias, fields[: len(ROLES)])])
        polarity_fields = fields[len(ROLES) : len(CLASSES)]
        return roles, _softmax([b + f / polarity_divisor for b, f in zip(self._polarity_bias, polarity_fields)])

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
        chosen = list(dict.fromkeys(text for _, text in weighed))[: 2 * MAX_CUES]
        # A cue inside a longer one that also weighed ("contrast" in "in contrast to") says nothing more.
        spaced = [f" {text} " for text in chosen]
        return tuple(
            [text for text, inner in zip(chosen, spaced) if not any(inner in outer and inner != outer for outer in spaced)][
                :MAX_CUES
            ]
        )


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} is not a number")
    return float(value)


def _rows(weights: Mapping[str, Any]) -> dict[Feature, int]:
    """A weights file's rows, packed, by feature; ValueError naming the first that is not
    :data:`FIELDS` numbers within ±:data:`_LIMIT` (the loop is written for speed: it runs once
    per feature at every start)."""
    pack_fields, scale, offset, top = _FIELDS.pack, float(_SCALE), _OFFSET, 2 * _OFFSET
    rows: dict[Feature, int] = {}
    spelled = ""
    try:
        for spelled, values in weights.items():
            if type(values) is not list:
                break
            fields = [round(value * scale) + offset for value in values]
            if min(fields) < 0 or max(fields) >= top:
                break
            rows[tuple(spelled.split(" ")) if " " in spelled else spelled] = int.from_bytes(pack_fields(*fields), "little")
        else:
            return rows
    except (TypeError, ValueError, OverflowError, AttributeError, struct.error):
        pass
    raise ValueError(f"feature {spelled!r} does not have {FIELDS} numbers within ±{_LIMIT:g}")


def _numbers(values: object, count: int, what: str) -> list[float]:
    if not isinstance(values, list) or len(values) != count:
        raise ValueError(f"{what} is not a list of {count} numbers")
    return [_number(value, what) for value in values]


def _cues(listed: Mapping[str, Any], weights: Mapping[str, Any]) -> dict[Feature, tuple[tuple[int, float, str], ...]]:
    """Each cue feature (a key of ``weights`` listed under a class's name) → for each class it is
    a cue of, (the class's index in CLASSES, the feature's weight for it, the feature's text)."""
    cues: dict[Feature, tuple[tuple[int, float, str], ...]] = {}
    for index, name in enumerate(CLASSES):
        keys = listed.get(name, [])
        if not isinstance(keys, list):
            raise ValueError(f"cues of {name} are not a list")
        for listed_key in keys:
            spelled = str(listed_key)
            feature = from_key(spelled)
            text = readable(feature)
            if text is None or spelled not in weights:
                raise ValueError(f"cue {spelled!r} is not a feature of the sentence's words")
            cues[feature] = (*cues.get(feature, ()), (index, float(weights[spelled][index]), text))
    return cues
