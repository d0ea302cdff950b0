"""Who says how a citation cites, as stored: the source's labels and the classifier's, apart.

A citation row keeps what its source said (``polarity``, ``source_roles_key``) and what
pithtui's classifier said (``label_model`` and the ``model_*`` columns) side by side; neither
ever overwrites the other. The effective values, the source's where it gave one and else the
model's, are kept in ``roles_key``, ``polarity_key`` and ``contrast``, which every filter, facet
count and sort reads: this module is the one place that decides them, for an import and for
``pithtui classify`` alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pithtui.classifier import CitationLabel, ContextLabel
from pithtui.models import MODEL_LABELLER
from pithtui.store.facets import roles_key
from pithtui.store.schema import NO_CONTRAST

MODEL_COLUMNS = ("label_model", "model_roles", "model_polarity", "model_score", "model_contexts")
"""The columns of ``citations`` that hold the classifier's labels."""
UNLABELLED: dict[str, Any] = dict.fromkeys(MODEL_COLUMNS)
"""The model columns of a citation no model has looked at."""

SOURCE_LABELLERS = {"semantic-scholar": "semantic_scholar"}
"""How a source is named as the one who labelled a citation (``roles_by``, ``polarity_by``),
where that differs from its name in ``citations.source``."""

DIGITS = 3
"""Probabilities are stored rounded to this many decimals (they are shown with two)."""

if TYPE_CHECKING:  # the scoring code is loaded only where it runs
    from pithtui.classifier import Classifier


def _roles(pairs: Sequence[tuple[str, float]]) -> list[list[Any]]:
    return [[role, round(score, DIGITS)] for role, score in pairs]


def _context(label: ContextLabel | None) -> dict[str, Any] | None:
    if label is None:
        return None
    return {
        "roles": _roles(label.roles),
        "polarity": label.polarity,
        "score": round(label.score, DIGITS),
        "contrast": round(label.contrast, DIGITS),
        "cues": list(label.cues),
    }


def model_columns(classifier: Classifier, contexts: Sequence[str]) -> tuple[dict[str, Any], CitationLabel | None]:
    """The model columns of a citation with these contexts, labelled by ``classifier``, and the
    label itself (None when no context gave it anything to go on: the citation keeps the
    model's id, so that the same model does not look again, and no label)."""
    label = classifier.label(contexts) if contexts else None
    if label is None:
        return {**UNLABELLED, "label_model": classifier.model_id}, None
    return {
        "label_model": classifier.model_id,
        "model_roles": _roles(label.roles),
        "model_polarity": label.polarity,
        "model_score": round(label.score, DIGITS),
        "model_contexts": [_context(context) for context in label.contexts],
    }, label


NOT_LABELLED: dict[str, Any] = {"roles_key": "", "polarity_key": "", "contrast": NO_CONTRAST}
"""The effective values of a citation that nobody has labelled."""


def from_model(label: CitationLabel | None) -> dict[str, Any]:
    """The effective ``roles_key``, ``polarity_key`` and ``contrast`` the model's ``label`` gives
    a citation whose source said nothing."""
    if label is None:
        return NOT_LABELLED
    names = tuple(role for role, _ in label.roles)
    return {"roles_key": roles_key(names), "polarity_key": label.polarity, "contrast": round(label.contrast, DIGITS)}


def labelled(
    classifier: Classifier | None, contexts: Sequence[str], source_roles: str, source_polarity: str | None
) -> tuple[dict[str, Any], bool]:
    """Every label column of a citation whose contexts ``classifier`` labels now (none without
    one): the model's columns and the effective values beside the source's. Also whether the
    model found anything to label."""
    if classifier is None:
        return {**UNLABELLED, **effective(source_roles, source_polarity, NOT_LABELLED)}, False
    model, label = model_columns(classifier, contexts)
    return {**model, **effective(source_roles, source_polarity, from_model(label))}, label is not None


def effective(source_roles: str, source_polarity: str | None, model: dict[str, Any]) -> dict[str, Any]:
    """The effective values of a citation: the source's roles and polarity where it gave them,
    else ``model``'s (:func:`from_model`, or a stored row's own effective values when the model's
    label is not redone: where the source gave nothing, those are the model's). A source's
    "contrasting" scores 1 and its other polarities 0, so that they sort among the model's
    probabilities."""
    values = dict(model)
    if source_roles:
        values["roles_key"] = source_roles
    if source_polarity:
        values["polarity_key"] = source_polarity
        values["contrast"] = 1.0 if source_polarity == "contrasting" else 0.0
    return values


def labeller(source: str | None, model_id: str | None, *, by_source: bool) -> str | None:
    """Who gave a citation's effective label: its source (``by_source``) or the model."""
    if by_source:
        return SOURCE_LABELLERS.get(source or "", source or "source")
    return MODEL_LABELLER + model_id if model_id else None


def context_labels(stored: Any) -> tuple[ContextLabel | None, ...]:
    """The classifier's labels of each context, from ``model_contexts`` as decoded JSON."""
    if not stored:
        return ()
    return tuple(
        None
        if item is None
        else ContextLabel(
            roles=tuple((role, float(score)) for role, score in item["roles"]),
            polarity=item["polarity"],
            score=float(item["score"]),
            contrast=float(item["contrast"]),
            cues=tuple(item["cues"]),
        )
        for item in stored
    )
