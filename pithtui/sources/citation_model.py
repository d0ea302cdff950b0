"""Reading the citation classifier's weights file (``python -m training`` writes it).

The packaged model is :data:`DEFAULT_MODEL`; the environment variable ``PITHTUI_MODEL`` may name
another file, which then replaces it wherever no path is given. Nothing is read at import time:
:func:`load_classifier` reads a file the first time it is asked for it and keeps the classifier.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from pithtui.classifier import Classifier
from pithtui.errors import ModelFileError

DEFAULT_MODEL: Path = Path(__file__).resolve().parent.parent / "data" / "citation_model.json"
"""The weights file shipped with pithtui."""


def load_classifier(path: Path | None = None) -> Classifier:
    """The classifier of the weights file at ``path`` (else ``$PITHTUI_MODEL``, else
    :data:`DEFAULT_MODEL`), read once per path; ModelFileError naming the file when it is missing,
    unreadable or not a pithtui citation model."""
    chosen = path if path is not None else Path(os.environ.get("PITHTUI_MODEL") or DEFAULT_MODEL)
    return _load(chosen.expanduser().resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Classifier:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ModelFileError(f"citation model {path} is missing") from None
    except OSError as error:
        raise ModelFileError(f"citation model {path} cannot be read ({error.strerror or error})") from None
    except json.JSONDecodeError as error:
        raise ModelFileError(f"citation model {path} is not a pithtui citation model (bad JSON at line {error.lineno})") from None
    except RecursionError:
        raise ModelFileError(f"citation model {path} is not a pithtui citation model (nested too deeply)") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"citation model {path} is not a pithtui citation model (not UTF-8 text)") from None
    try:
        return Classifier.from_dict(data)
    except ValueError as error:
        raise ModelFileError(f"citation model {path} is not a pithtui citation model ({error})") from None
