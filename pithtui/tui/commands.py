"""The command palette's actions: the same ones the keys run, found by name.

Listed from the bindings active on the screen the palette was opened from (the screen, its
focused widget and the app), so a key and its palette command can never disagree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from functools import partial

from textual.binding import ActiveBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ListedProvider(Provider):
    """A palette provider over a list of commands: ``listed`` gives (title, help, command) for
    each, and they are discovered and searched by title alike."""

    def listed(self) -> Iterable[tuple[str, str, Callable[[], Awaitable[None]]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, help_text, command in self.listed():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self.listed():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)


class ActionsProvider(ListedProvider):
    """Every described binding of the current screen as a palette command."""

    def _actions(self) -> Iterator[tuple[str, str, ActiveBinding]]:
        """(title, help, binding) for each enabled, described binding, each action once."""
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.system or binding.action in seen:
                continue
            seen.add(binding.action)
            yield binding.description, f"key: {self.app.get_key_display(binding)}", active

    async def _run(self, active: ActiveBinding) -> None:
        await self.app.run_action(active.binding.action, active.node)

    def listed(self) -> Iterable[tuple[str, str, Callable[[], Awaitable[None]]]]:
        return [(title, help_text, partial(self._run, active)) for title, help_text, active in self._actions()]
