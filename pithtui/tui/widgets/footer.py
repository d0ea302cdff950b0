"""Textual's footer, composed again only when the keys it shows change.

The footer recomposes (removes and mounts again every key it shows) each time the screen's
bindings may have changed: whenever focus moves or a binding is refreshed, several times while
a screen opens. Each of those costs a few milliseconds of widgets built and styled; this one
keeps the keys it shows when they are the same.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeysFooter(Footer):
    """A compact footer without the command palette key, recomposed only when its keys change."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What :meth:`Footer.compose` shows, as comparable values."""
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip, binding.group)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    async def recompose(self) -> None:
        if not self.is_attached or not self._bindings_ready:
            await super().recompose()
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
