"""The citation classifier: what a citing sentence does with its reference (its roles) and how it
stands towards it (its polarity), by a small linear model run in pure Python.

The domain floor: standard library only, no I/O. The weights come in as decoded data
(:meth:`Classifier.from_dict`); :mod:`pithtui.sources.citation_model` reads them from the file
``python -m training`` writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pithtui.classifier.labels import POLARITIES, ROLES, CitationLabel, ContextLabel

if TYPE_CHECKING:
    from pithtui.classifier.linear import Classifier


def __getattr__(name: str) -> object:
    """``Classifier`` is imported when first asked for: the labels are read wherever a citing
    paper is shown (the app's first frame among them), the scoring code only where it runs."""
    if name == "Classifier":
        from pithtui.classifier.linear import Classifier

        return Classifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["POLARITIES", "ROLES", "CitationLabel", "Classifier", "ContextLabel"]
