"""Filters as plain JSON values and back: what a saved view stores and a layer export carries.

Decoding is strict about types and lenient about absence: a missing key is "any", and a value
of the wrong type is a ValueError naming the key, so that a view written by a newer pithtui, or
edited by hand, is refused in one line rather than applied wrongly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pithtui.models import MINE_FLAGS, Filters

_SETS = ("roles", "verdicts", "categories", "my_verdicts")


def filters_to_json(f: Filters) -> dict[str, Any]:
    """The active filters of ``f`` as JSON values (sets as sorted lists, dates as ISO text)."""
    out: dict[str, Any] = {}
    for name in _SETS:
        values = getattr(f, name)
        if values:
            out[name] = sorted(values)
    if f.polarities:
        out["polarities"] = sorted(f.polarities, key=lambda value: (value is None, value or ""))
    if f.mine:
        out["mine"] = sorted(f.mine)
    for name in ("since", "until", "new_since"):
        value = getattr(f, name)
        if value is not None:
            out[name] = value.isoformat()
    if f.min_novelty is not None:
        out["min_novelty"] = f.min_novelty
    if f.search:
        out["search"] = f.search
    return out


def _strings(name: str, value: Any, *, none_allowed: bool = False) -> frozenset[Any]:
    if not isinstance(value, list) or not all(isinstance(v, str) or (none_allowed and v is None) for v in value):
        raise ValueError(f"{name}: expected a list of strings")
    return frozenset(value)


def filters_from_json(data: Any) -> Filters:
    """The Filters of :func:`filters_to_json`'s value; ValueError naming the key at fault."""
    if not isinstance(data, dict):
        raise ValueError("filters: expected an object")
    unknown = sorted(set(data) - {*_SETS, "polarities", "mine", "since", "until", "new_since", "min_novelty", "search"})
    if unknown:
        raise ValueError(f"filters: unknown key {unknown[0]!r}")
    values: dict[str, Any] = {name: _strings(name, data[name]) for name in _SETS if name in data}
    if "polarities" in data:
        values["polarities"] = _strings("polarities", data["polarities"], none_allowed=True)
    if "mine" in data:
        values["mine"] = _strings("mine", data["mine"])
        if not values["mine"] <= set(MINE_FLAGS):
            raise ValueError(f"mine: expected some of {', '.join(MINE_FLAGS)}")
    for name, parse in (
        ("since", dt.date.fromisoformat),
        ("until", dt.date.fromisoformat),
        ("new_since", dt.datetime.fromisoformat),
    ):
        if name in data:
            try:
                values[name] = parse(data[name])
            except (TypeError, ValueError):
                raise ValueError(f"{name}: expected an ISO date") from None
    if "min_novelty" in data:
        if not isinstance(data["min_novelty"], int | float) or isinstance(data["min_novelty"], bool):
            raise ValueError("min_novelty: expected a number")
        values["min_novelty"] = float(data["min_novelty"])
    if "search" in data:
        if not isinstance(data["search"], str):
            raise ValueError("search: expected text")
        values["search"] = data["search"]
    return Filters(**values)
