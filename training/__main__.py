"""``python -m training``: retrain the citation classifier and write its weights file.

    python -m training                          # data from ../shared/data/citation-labels
    python -m training --data DIR --out FILE    # or PITHTUI_LABELS=DIR

Needs the ``train`` extra (scikit-learn, numpy). Runs on one core with fixed splits, so the same
data give the same file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from pithtui.sources.citation_model import DEFAULT_MODEL
from training.corpora import data_dir
from training.fit import build


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="folder of the labelled files (default: $PITHTUI_LABELS or ../shared/...)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL, help=f"weights file to write (default {DEFAULT_MODEL})")
    args = parser.parse_args(argv)
    folder = data_dir(args.data)
    started = time.perf_counter()
    data = build(folder)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    size = args.out.stat().st_size / 2**20
    print(
        f"{data['model_id']}: {data['features'].count(chr(10)) + 1:,} features, {size:.1f} MB → {args.out} "
        f"({time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
