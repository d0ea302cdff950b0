"""The ids of pithtui's key bindings: what a key override in the settings file may name.

Every binding of pithtui's own is given an id (``hub.search``, ``explorer.star``); the settings'
``[keys]`` table rebinds them by id (``App.set_keymap``). Finding the ids imports every module of
the TUI, which the first frame does not need, so :class:`BindingIds` does it only when asked
about an id: a settings file without ``[keys]`` never asks.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Collection, Iterator


def binding_ids() -> frozenset[str]:
    """The id of every binding declared by a class of ``pithtui.tui`` (every module imported)."""
    from textual.binding import Binding

    import pithtui.tui

    for info in pkgutil.walk_packages(pithtui.tui.__path__, "pithtui.tui."):
        importlib.import_module(info.name)
    ids: set[str] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("pithtui.tui.") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name:
                ids.update(b.id for b in value.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id)
    return frozenset(ids)


class BindingIds(Collection[str]):
    """:func:`binding_ids`, found the first time an id is looked up."""

    def __init__(self) -> None:
        self._ids: frozenset[str] | None = None

    def _found(self) -> frozenset[str]:
        if self._ids is None:
            self._ids = binding_ids()
        return self._ids

    def __contains__(self, binding_id: object) -> bool:
        return binding_id in self._found()

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())
