"""Fitting the classifier's two heads with scikit-learn, and writing them as a weights file; and
the recipe of the shipped model, which ``python -m training`` and the bench both follow.

A head is a multinomial logistic regression over the TF-IDF of the features of
:func:`pithtui.classifier.features.features` plus the cue groups of
:func:`pithtui.classifier.cues.groups`, scaled as :mod:`pithtui.classifier.linear` scores them.
It is fitted twice: once on every feature seen in at least ``min_df`` sentences, then again on
only those whose weight mattered (the largest of its class weights, times its idf, at least
``prune``), so that the file is small and still describes exactly the model that was fitted.
Everything runs on one core, in a fixed order, so the same data give the same file byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from pithtui.classifier import POLARITIES, ROLES
from pithtui.classifier.cues import AGREEMENT, AGREEMENT_PRIOR, CUE_GROUPS, groups
from pithtui.classifier.features import Feature, features, from_key, key, readable
from pithtui.classifier.linear import CLASSES, FIELDS, FORMAT
from training import corpora
from training.corpora import Record

CUES_PER_CLASS = 250
"""How many of each class's heaviest readable features a weights file lists as its cues."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How a head is fitted."""

    c: float
    min_df: int = 2
    prune: float = 0.02
    balanced: bool = False
    idf: bool = True  # else every feature weighs the same before fitting
    cue_scale: float = 1.0  # cue groups weigh this many times their idf (less shrunk by regularisation)
    source_weights: Mapping[str, float] | None = None  # per Record.source; 1 when absent


@dataclass(frozen=True, slots=True)
class Head:
    """A fitted head: its classes, features (with their idf) and weights (centred per feature)."""

    classes: tuple[str, ...]
    vocabulary: tuple[Feature, ...]
    idf: np.ndarray
    coef: np.ndarray  # classes × features
    intercept: np.ndarray

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of class probabilities, as numpy computes them from the unrounded weights."""
        scores = _matrix(texts, self.vocabulary, self.idf) @ self.coef.T + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exps = np.exp(scores)
        return exps / exps.sum(axis=1, keepdims=True)


@cache
def training_features(text: str) -> tuple[Feature, ...]:
    """What a head learns from: the sentence's features and its cue groups."""
    found = features(text)
    return (*found, *groups(found))


def _counts(texts: Sequence[str], vocabulary: Sequence[Feature]) -> sparse.csr_matrix:
    index = {feature: n for n, feature in enumerate(vocabulary)}
    data: list[int] = []
    columns: list[int] = []
    pointers = [0]
    for text in texts:
        counted = Counter(n for n in map(index.get, training_features(text)) if n is not None)
        for column in sorted(counted):
            columns.append(column)
            data.append(counted[column])
        pointers.append(len(columns))
    return sparse.csr_matrix((data, columns, pointers), shape=(len(texts), len(vocabulary)), dtype=np.float64)


def _matrix(texts: Sequence[str], vocabulary: Sequence[Feature], idf: np.ndarray) -> sparse.csr_matrix:
    """TF-IDF rows divided by the square root of each row's sum of ``tf * idf²``."""
    counts = _counts(texts, vocabulary)
    norms = np.sqrt(counts @ (idf**2))
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ counts @ sparse.diags(idf)


def fit(records: Sequence[Record], classes: Sequence[str], settings: Settings) -> Head:
    """A head fitted on ``records`` (whose labels are among ``classes``)."""
    texts = [record.text for record in records]
    document_frequency = Counter(feature for text in texts for feature in set(training_features(text)))
    vocabulary = tuple(sorted((f for f, n in document_frequency.items() if n >= settings.min_df), key=key))
    idf_all = np.array(
        [math.log((1 + len(texts)) / (1 + document_frequency[f])) + 1 if settings.idf else 1.0 for f in vocabulary]
    )
    idf_all *= np.array([settings.cue_scale if _is_group(f) else 1.0 for f in vocabulary])
    first = _fit(records, classes, settings, vocabulary, idf_all)
    keep = np.abs(first.coef * first.idf).max(axis=0) >= settings.prune
    pruned = tuple(f for f, kept in zip(vocabulary, keep, strict=True) if kept)
    return _fit(records, classes, settings, pruned, idf_all[keep])


def _fit(
    records: Sequence[Record],
    classes: Sequence[str],
    settings: Settings,
    vocabulary: tuple[Feature, ...],
    idf: np.ndarray,
) -> Head:
    x = _matrix([record.text for record in records], vocabulary, idf)
    y = np.array([classes.index(record.label) for record in records])
    weights = np.array([(settings.source_weights or {}).get(record.source, 1.0) for record in records])
    if settings.balanced:
        counts = np.bincount(y, minlength=len(classes)).astype(float)
        weights = weights * (len(y) / (len(classes) * np.maximum(counts, 1)))[y]
    model = LogisticRegression(C=settings.c, max_iter=3000, tol=1e-6)
    model.fit(x, y, sample_weight=weights)
    coef = np.zeros((len(classes), len(vocabulary)))
    intercept = np.zeros(len(classes))
    coef[model.classes_] = model.coef_
    intercept[model.classes_] = model.intercept_
    return Head(tuple(classes), vocabulary, idf, coef - coef.mean(axis=0), intercept - intercept.mean())


def _round(value: float) -> float | int:
    """``value`` to four significant digits (so the file is small and prints the same everywhere);
    zero as the integer 0, which JSON writes shortest."""
    rounded = float(f"{value:.4g}")
    return rounded if rounded else 0


def export(roles: Head, polarity: Head, thresholds: Mapping[str, float], trained_on: Mapping[str, Any]) -> dict[str, Any]:
    """The weights file's data for these heads: each cue group folded into its phrases, the
    agreement prior added (see :data:`pithtui.classifier.cues.AGREEMENT`), the numbers rounded,
    cues listed, and the ``model_id`` a hash of all of it."""
    rows: dict[Feature, list[float]] = {}
    for head, offset, norm in ((roles, 0, FIELDS - 2), (polarity, len(ROLES), FIELDS - 1)):
        if head.classes != CLASSES[offset : offset + len(head.classes)]:
            raise ValueError(f"a head of {head.classes} cannot be written at {offset}")
        for n, feature in enumerate(head.vocabulary):
            targets = [phrase for phrase, named in CUE_GROUPS.items() if feature in named] if _is_group(feature) else [feature]
            for target in targets:
                row = rows.setdefault(target, [0.0] * FIELDS)
                for c in range(len(head.classes)):
                    row[offset + c] += float(head.coef[c, n] * head.idf[n])
                row[norm] += float(head.idf[n] ** 2)
    supporting = len(ROLES) + POLARITIES.index("supporting")
    for phrase in AGREEMENT:
        row = rows.setdefault(phrase, [0.0] * FIELDS)
        for c in range(len(ROLES), len(CLASSES)):
            row[c] += AGREEMENT_PRIOR if c == supporting else -AGREEMENT_PRIOR / (len(POLARITIES) - 1)
    spelled = {key(feature): [_round(v) for v in row] for feature, row in sorted(rows.items(), key=lambda item: key(item[0]))}
    cues = {
        name: sorted(
            (k for k, row in spelled.items() if row[c] > 0 and readable(from_key(k)) is not None),
            key=lambda k, c=c: (-spelled[k][c], k),  # type: ignore[misc]
        )[:CUES_PER_CLASS]
        for c, name in enumerate(CLASSES)
    }
    data: dict[str, Any] = {
        "format": FORMAT,
        "classes": list(CLASSES),
        "bias": [_round(float(b)) for b in (*roles.intercept, *polarity.intercept)],
        "thresholds": {name: _round(value) for name, value in thresholds.items()},
        "trained_on": dict(trained_on),
        "cues": cues,
        "features": spelled,
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {"format": FORMAT, "model_id": f"cite-{digest[:10]}", **data}


def _is_group(feature: Feature) -> bool:
    return isinstance(feature, str) and feature.startswith("+")


def best_thresholds(probabilities: np.ndarray, labels: Sequence[str]) -> dict[str, float]:
    """The ``contrasting`` and ``supporting`` thresholds (see :mod:`pithtui.classifier.linear`)
    that give the best macro-F1 over polarities on these (out-of-fold) probabilities."""
    truth = np.array([POLARITIES.index(label) for label in labels])
    contrasting, supporting = POLARITIES.index("contrasting"), POLARITIES.index("supporting")
    best: tuple[float, float, float] = (-1.0, 0.5, 0.5)
    grid = np.round(np.arange(0.2, 0.951, 0.025), 3)
    for tc in grid:
        for ts in grid:
            picked = np.where(
                probabilities[:, contrasting] >= tc,
                contrasting,
                np.where(probabilities[:, supporting] >= ts, supporting, POLARITIES.index("neutral")),
            )
            score = macro_f1(truth, picked, len(POLARITIES))
            if score > best[0] + 1e-12:
                best = (score, float(tc), float(ts))
    return {"contrasting": best[1], "supporting": best[2]}


def macro_f1(truth: Iterable[int], picked: Iterable[int], classes: int) -> float:
    return float(np.mean(f1_per_class(truth, picked, classes)))


def f1_per_class(truth: Iterable[int], picked: Iterable[int], classes: int) -> list[float]:
    t, p = np.asarray(list(truth)), np.asarray(list(picked))
    scores = []
    for c in range(classes):
        tp = float(np.sum((t == c) & (p == c)))
        denominator = float(np.sum(t == c) + np.sum(p == c))
        scores.append(2 * tp / denominator if denominator else 0.0)
    return scores


def polarity_thresholds(records: Sequence[Record], settings: Settings, folds: int = 5) -> dict[str, float]:
    """The polarity thresholds that do best on ``records`` out of fold, the folds split by
    citing paper."""
    from sklearn.model_selection import GroupKFold

    out_of_fold = np.zeros((len(records), len(POLARITIES)))
    for train, held in GroupKFold(folds).split(records, groups=[record.group for record in records]):
        head = fit([records[i] for i in train], POLARITIES, settings)
        out_of_fold[held] = head.probabilities([records[i].text for i in held])
    return best_thresholds(out_of_fold, [record.label for record in records])


# --------------------------------------------------------------------------- the shipped model's recipe

ROLE_SETTINGS = Settings(
    c=4.0,
    min_df=5,
    prune=2.0,
    balanced=True,
    source_weights={"acl-arc-train": 2.0, "scicite-train": 0.7, "scicite-dev": 0.7},
)
"""Roles: classes balanced; ACL-ARC (the only six-class set with hand-checked labels) weighed up
and SciCite (three classes only, and most of the data) down, so that neither drowns the others."""
POLARITY_SETTINGS = Settings(c=1.0, min_df=4, prune=0.8, balanced=True)
"""Polarity: classes balanced (contrasting sentences are one in thirty)."""
ROLE_THRESHOLD = 0.3
"""A role is confident, beside a sentence's most likely one, from this probability."""


def role_records(folder: Path, with_act: bool = True) -> list[Record]:
    """The role head's training sentences: ACL-ARC train, ACT (unless left out), SciCite train
    and dev. ACL-ARC test and SciCite test are kept out, for the bench."""
    act = corpora.act(folder) if with_act else []
    return [*corpora.acl_arc(folder, "train"), *act, *corpora.scicite(folder, "train"), *corpora.scicite(folder, "dev")]


def fit_roles(records: list[Record]) -> Head:
    return fit(records, ROLES, ROLE_SETTINGS)


def fit_polarity(records: list[Record]) -> tuple[Head, dict[str, float]]:
    """The polarity head fitted on ``records``, with thresholds chosen on them by grouped
    cross-validation."""
    return fit(records, POLARITIES, POLARITY_SETTINGS), polarity_thresholds(records, POLARITY_SETTINGS)


def model(roles: Head, polarity: Head, thresholds: dict[str, float], trained_on: dict[str, Any]) -> dict[str, Any]:
    return export(roles, polarity, {"role": ROLE_THRESHOLD, **thresholds}, trained_on)


def build(folder: Path) -> dict[str, Any]:
    """The shipped model's weights file data."""
    roles = role_records(folder)
    athar = corpora.athar(folder)
    polarity, thresholds = fit_polarity(athar)
    trained_on = {
        "roles": f"{len(roles):,} sentences: ACL-ARC train, ACT, SciCite train and dev (their tests held out)",
        "polarity": f"{len(athar):,} sentences: Athar's citation sentiment corpus",
        "role_settings": _described(ROLE_SETTINGS),
        "polarity_settings": _described(POLARITY_SETTINGS),
    }
    return model(fit_roles(roles), polarity, thresholds, trained_on)


def _described(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}
