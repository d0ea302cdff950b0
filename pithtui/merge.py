"""How records of one paper, or of one citation, become one: rules that need no database.

An import may name a paper several times under different identifiers, and name papers the
store already holds. :class:`BatchPapers` unites an import's records of one paper by any
shared identifier (or, with none, by title); :func:`merge_papers` and :func:`merge_citation`
say what the united record keeps. The store applies the same rules to what it already holds
(store/upsert.py).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pithtui.identifiers import is_arxiv_category
from pithtui.models import PAPER_FIELDS, UNVERDICTED, Citation, Paper
from pithtui.text import title_key

_all_fields = operator.attrgetter(*PAPER_FIELDS)


def merge_papers(base: Paper, new: Paper) -> Paper:
    """``base`` updated by what ``new`` knows: new values win, but nothing is blanked out and
    an UNVERDICTED record does not undo a verdict, and an arXiv category is not replaced by
    another source's field of study. ``base`` itself when nothing changes."""
    changes: dict[str, Any] = {}
    for name, value, current in zip(PAPER_FIELDS, _all_fields(new), _all_fields(base)):
        if value == current or value is None or value == "" or value == () or name == "id":
            continue
        if name == "verdict" and value == UNVERDICTED:
            continue
        if name in ("category", "categories") and is_arxiv_category(base.category) and not is_arxiv_category(new.category):
            continue  # a field-of-study name from another source does not replace arXiv's category
        changes[name] = value
    return replace(base, **changes) if changes else base


def merge_keys(paper: Paper) -> list[tuple[str, Any]]:
    """What records of one paper are matched on: its identifiers, else its title."""
    keys = list(paper.identifiers.items())
    return keys or [("title_key", title_key(paper.title))]


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


class BatchPapers:
    """Records of the same paper within one import, united by any shared identifier."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.merged: list[Paper] = []
        self.keys: list[list[tuple[str, Any]]] = []
        self.by_key: dict[tuple[str, Any], int] = {}
        self.by_record: dict[int, tuple[Paper, int]] = {}
        """By ``id()`` of a record added: the record (which keeps that id its own) and its group."""

    def find(self, group: int) -> int:
        while self.parent[group] != group:
            self.parent[group] = self.parent[self.parent[group]]
            group = self.parent[group]
        return group

    def add(self, paper: Paper) -> int:
        known = self.by_record.get(id(paper))
        if known is not None and known[0] is paper and self.merged[root := self.find(known[1])] is paper:
            return root  # the same record again, e.g. the hub of every citation in a page
        keys = merge_keys(paper)
        groups = sorted({self.find(self.by_key[k]) for k in keys if k in self.by_key})
        if not groups:
            target = len(self.parent)
            self.parent.append(target)
            self.merged.append(paper)
            self.keys.append(keys)
        else:
            target = groups[0]
            for other in groups[1:]:
                self.merged[target] = merge_papers(self.merged[target], self.merged[other])
                self.parent[other] = target
            self.merged[target] = merge_papers(self.merged[target], paper)
            self.keys[target] = merge_keys(self.merged[target])
        for key in self.keys[target]:
            self.by_key[key] = target
        self.by_record[id(paper)] = (paper, target)
        return target

    def roots(self) -> list[int]:
        return [g for g in range(len(self.parent)) if self.find(g) == g]


def merge_citation(a: Citation, b: Citation) -> Citation:
    """Two records of one citation in one import: what either knows, ``b`` winning ties."""
    return replace(
        b,
        roles=unique((*a.roles, *b.roles)),
        contexts=unique((*a.contexts, *b.contexts)),
        polarity=b.polarity or a.polarity,
        influential=a.influential or b.influential,
        representative=a.representative or b.representative,
        source=b.source or a.source,
    )
