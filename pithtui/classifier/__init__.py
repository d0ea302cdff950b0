"""The citation classifier: what a citing sentence does with its reference (its roles) and how it
stands towards it (its polarity), by a small linear model run in pure Python.

The domain floor: standard library only, no I/O. The weights come in as decoded data
(:meth:`Classifier.from_dict`); :mod:`pithtui.sources.citation_model` reads them from the file
``python -m training`` writes.
"""

from __future__ import annotations

from pithtui.classifier.labels import POLARITIES, ROLES, CitationLabel, ContextLabel
from pithtui.classifier.linear import Classifier

__all__ = ["POLARITIES", "ROLES", "CitationLabel", "Classifier", "ContextLabel"]
