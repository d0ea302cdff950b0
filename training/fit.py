"""Fitting the classifier's two heads (logistic regression by SciPy's L-BFGS), and writing them as a weights file; and
the recipe of the shipped model, which ``python -m training`` and the bench both follow.

A head is a multinomial logistic regression over the TF-IDF of the features of
:func:`pithtui.classifier.features.features` plus the cue groups of
:func:`pithtui.classifier.cues.groups`, scaled as :mod:`pithtui.classifier.linear` scores them.
A sentence whose label leaves several classes open (SciCite's *background* may be any of
background, motivation and future) counts by the probability of any of them (see :func:`_logistic`),
rather than being forced into one.
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
from scipy.optimize import minimize

from pithtui.classifier import POLARITIES, ROLES
from pithtui.classifier.cues import AGREEMENT, AGREEMENT_PRIOR, CUE_GROUPS, groups
from pithtui.classifier.features import Feature, features, from_key, key, readable
from pithtui.classifier.linear import CLASSES, FIELDS, FORMAT, encode, pack
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
    partial: bool = False  # SciCite's three labels as the sets of roles they stand for (see PARTIAL)


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
    allowed = [_allowed(record, settings) for record in records]
    masks = np.zeros((len(records), len(classes)))
    for row, labels in enumerate(allowed):
        masks[row, [classes.index(label) for label in labels]] = 1.0
    weights = np.array([(settings.source_weights or {}).get(record.source, 1.0) for record in records])
    if settings.balanced:
        kinds = sorted(set(allowed))
        kind = np.array([kinds.index(labels) for labels in allowed])
        counts = np.bincount(kind, minlength=len(kinds)).astype(float)
        weights = weights * (len(kind) / (len(kinds) * counts))[kind]
    coef, intercept = _logistic(x, masks, weights, settings.c)
    return Head(tuple(classes), vocabulary, idf, coef - coef.mean(axis=0), intercept - intercept.mean())


PARTIAL: dict[str, tuple[str, ...]] = {
    "background": ("background", "motivation", "future"),
    "uses": ("uses", "extends"),
    "compares": ("compares",),
}
"""What SciCite's three labels (as :mod:`training.corpora` maps them) leave open among the six
roles: its background is any of background, motivation and future; its method is uses or extends."""


def _allowed(record: Record, settings: Settings) -> tuple[str, ...]:
    """The classes ``record``'s label allows: one, or for SciCite with ``partial`` a set."""
    if settings.partial and record.source.startswith("scicite"):
        return PARTIAL[record.label]
    return (record.label,)


def _logistic(x: sparse.csr_matrix, masks: np.ndarray, weights: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with partial labels: minimises ``c`` times the weighted sum
    over rows of minus the log of the probability of the row's allowed classes (``masks``), plus
    half the squared norm of the weights (not of the intercepts). With one allowed class per row
    it is scikit-learn's ``LogisticRegression(C=c)``. L-BFGS, from zero: deterministic."""
    columns, classes = x.shape[1], masks.shape[1]
    xt = x.T.tocsr()
    # Divided by the total weight, as scikit-learn does: the same minimum, and tolerances that mean the same.
    scale = 1.0 / float(weights.sum())
    row_weights = weights * scale
    penalty = scale / c

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        coef = flat[: columns * classes].reshape(columns, classes)
        scores = x @ coef + flat[columns * classes :]
        scores -= scores.max(axis=1, keepdims=True)
        exps = np.exp(scores)
        total = exps.sum(axis=1)
        kept = (exps * masks).sum(axis=1)
        value = float(row_weights @ (np.log(total) - np.log(kept))) + 0.5 * penalty * float(np.sum(coef * coef))
        residual = row_weights[:, None] * (exps / total[:, None] - exps * masks / kept[:, None])
        gradient = np.concatenate([(xt @ residual + penalty * coef).ravel(), residual.sum(axis=0)])
        return value, gradient

    start = np.zeros(columns * classes + classes)
    found = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 3000, "gtol": 1e-6})
    coef = found.x[: columns * classes].reshape(columns, classes).T
    return np.array(coef), np.array(found.x[columns * classes :])


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
        name: dict(
            sorted(
                ((k, row[c]) for k, row in spelled.items() if row[c] > 0 and readable(from_key(k)) is not None),
                key=lambda item: (-item[1], item[0]),
            )[:CUES_PER_CLASS]
        )
        for c, name in enumerate(CLASSES)
    }
    data: dict[str, Any] = {
        "format": FORMAT,
        "classes": list(CLASSES),
        "bias": [_round(float(b)) for b in (*roles.intercept, *polarity.intercept)],
        "thresholds": {name: _round(value) for name, value in thresholds.items()},
        "trained_on": dict(trained_on),
        "cues": cues,
    }
    # The id hashes the numbers themselves, not their compressed form (which may differ between zlib builds).
    digest = hashlib.sha256(json.dumps({**data, "rows": spelled}, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    weights = {"features": "\n".join(spelled), "weights": encode([pack(row) for row in spelled.values()])}
    return {"format": FORMAT, "model_id": f"cite-{digest[:10]}", **data, **weights}


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
    source_weights={"acl-arc-train": 2.0},
    partial=True,
)
"""Roles: classes balanced; ACL-ARC (the only six-class set with hand-checked labels) weighed up;
SciCite's three labels read as the sets of roles they leave open (see :data:`PARTIAL`)."""
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
