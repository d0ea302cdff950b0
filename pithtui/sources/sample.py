"""The sample hub shipped in the package, and opening a store seeded with it.

The sample is the hub page pithtui is modelled on ("The Curse of Recursion"), stored as
pithtui JSON in ``pithtui/data/sample_hub.json``: only what that page says, per paper.
"""

from __future__ import annotations

import json
from importlib import resources

from pithtui.models import Citation, Paper
from pithtui.store import HubRepository, open_repository

SAMPLE_REF = "2305.17493"
"""The arXiv id of the sample hub."""


def load_sample_hub() -> list[Paper | Citation]:
    from pithtui.sources import pithtui_json  # only to seed a new store: not imported by every start

    text = resources.files("pithtui.data").joinpath("sample_hub.json").read_text(encoding="utf-8")
    return pithtui_json.parse(json.loads(text), "sample_hub.json")


def open_store(url: str | None = None, *, create: bool = True) -> HubRepository:
    """Open the store at ``url`` (or the default); an empty embedded default gets the sample hub.
    A new SQLite file elsewhere is made only with ``create`` (see ``open_repository``)."""
    repo = open_repository(url, create=create)
    if repo.is_default and repo.is_empty():
        repo.upsert(load_sample_hub())
    return repo
