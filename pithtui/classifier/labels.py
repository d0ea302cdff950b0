"""What the classifier says about a citation: one label per citing sentence, and their union.

A citation (a citing paper citing a reference) often comes with several sentences; its label is
the union of theirs, by the rule of :func:`aggregate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROLES: tuple[str, ...] = ("background", "motivation", "uses", "extends", "compares", "future")
"""What a citing sentence does with its reference (the six classes of ACL-ARC and ACT)."""
POLARITIES: tuple[str, ...] = ("supporting", "contrasting", "neutral")
"""How a citing sentence stands towards its reference."""
_PRECEDENCE = ("contrasting", "supporting", "neutral")


@dataclass(frozen=True, slots=True)
class ContextLabel:
    """The label of one citing sentence.

    ``roles`` are its confident roles with their probabilities, most likely first (always at
    least the most likely one); ``polarity`` is one of :data:`POLARITIES` with ``score`` its
    probability; ``contrast`` is the probability of ``contrasting`` whatever the polarity (to
    sort the most contrasting first); ``cues`` are up to five words or phrases of the sentence
    that weighed most for its polarity and its top role, as written (``however``, ``fails to``).
    """

    roles: tuple[tuple[str, float], ...]
    polarity: str
    score: float
    contrast: float
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CitationLabel:
    """The label of a citation: the union of its sentences' labels (see :func:`aggregate`).

    ``contexts`` holds one label per sentence given, in order, None for a sentence with nothing
    to classify.
    """

    roles: tuple[tuple[str, float], ...]
    polarity: str
    score: float
    contrast: float
    contexts: tuple[ContextLabel | None, ...]


def aggregate(contexts: Sequence[ContextLabel | None]) -> CitationLabel | None:
    """The citation's label from its sentences' labels; None when no sentence has one.

    Polarity: ``contrasting`` when any sentence is (each sentence is contrasting only when
    confidently so: see :class:`pithtui.classifier.Classifier`), with the highest probability
    among those; else ``supporting`` likewise; else ``neutral`` with the highest probability of
    neutral among the sentences. ``contrast`` is the highest over the sentences. Roles: the union
    of the sentences' confident roles, each with its highest probability, most likely first.
    """
    labelled = [label for label in contexts if label is not None]
    if not labelled:
        return None
    polarity, score = "neutral", 0.0
    for polarity in _PRECEDENCE:
        holding = [label.score for label in labelled if label.polarity == polarity]
        if holding:
            score = max(holding)
            break
    best: dict[str, float] = {}
    for label in labelled:
        for role, probability in label.roles:
            if probability > best.get(role, -1.0):
                best[role] = probability
    return CitationLabel(
        roles=tuple(sorted(best.items(), key=lambda item: (-item[1], ROLES.index(item[0])))),
        polarity=polarity,
        score=score,
        contrast=max(label.contrast for label in labelled),
        contexts=tuple(contexts),
    )
