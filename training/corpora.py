"""The labelled citation contexts the classifier learns from, read from ``citation-labels/``
(described in the README of the shared data folder), as :class:`Record` in file order.

Labels are mapped to pithtui's vocabulary: ACL-ARC and ACT classes to the six roles; SciCite's
``background``, ``method`` and ``result`` to background, uses and compares (its ``label2`` is
never read); Athar's ``p``, ``n`` and ``o`` to supporting, contrasting and neutral. ``group`` is
the citing paper wherever the file names it (so that splits keep a paper's sentences together),
else the row's own number.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ACL_CLASSES = ("background", "compares", "extends", "future", "motivation", "uses")
"""ACL-ARC and ACT ``citation_class_label`` 0-5."""
SCICITE_ROLES = {"background": "background", "method": "uses", "result": "compares"}
ATHAR_POLARITIES = {"p": "supporting", "n": "contrasting", "o": "neutral"}
DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "citation-labels"
"""``../shared/data/citation-labels`` beside the repository."""


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    label: str  # a role for the role corpora, a polarity for Athar
    group: str
    source: str


def data_dir(given: str | Path | None = None) -> Path:
    """The folder of the labelled files: ``given``, else ``$PITHTUI_LABELS``, else the default;
    SystemExit with one line when it is missing."""
    folder = Path(given or os.environ.get("PITHTUI_LABELS") or DEFAULT_DATA)
    if not (folder / "athar-corpus.tsv").is_file():
        raise SystemExit(f"no labelled citation data in {folder} (give --data DIR or set PITHTUI_LABELS)")
    return folder


def acl_arc(folder: Path, split: str) -> list[Record]:
    """ACL-ARC ``train`` or ``test``: six roles, grouped by citing paper."""
    with (folder / f"acl-arc-{split}.tsv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            Record(
                row["citation_context"],
                ACL_CLASSES[int(row["citation_class_label"])],
                row["citing_id"],
                f"acl-arc-{split}",
            )
            for row in rows
        ]


def act(folder: Path) -> list[Record]:
    """ACT (3C shared task, every discipline): six roles, grouped by citing paper."""
    with (folder / "act-train.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return [
            Record(row["citation_context"], ACL_CLASSES[int(row["citation_class_label"])], row["core_id"], "act") for row in rows
        ]


def scicite(folder: Path, split: str) -> list[Record]:
    """SciCite ``train``, ``dev`` or ``test`` as three roles; grouped by citing paper where given."""
    if split == "train":
        with (folder / "scicite-train.csv").open(encoding="utf-8", newline="") as handle:
            rows: list[dict[str, str]] = list(csv.DictReader(handle))
    else:
        with (folder / f"scicite-{split}.jsonl").open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    return [
        Record(row["string"], SCICITE_ROLES[row["label"]], row.get("citingPaperId") or f"{split}-{n}", f"scicite-{split}")
        for n, row in enumerate(rows)
    ]


def athar(folder: Path) -> list[Record]:
    """Athar's citation sentiment corpus: three polarities, grouped by citing paper."""
    return list(_athar_rows(folder / "athar-corpus.tsv"))


def _athar_rows(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) >= 4 and row[2] in ATHAR_POLARITIES:
                yield Record(row[3], ATHAR_POLARITIES[row[2]], row[0], "athar")
