"""Every private name of Textual that pithtui touches, in one place, and why.

Textual's public API has no way to do these few things, so pithtui uses Textual's own private
methods for them, here and nowhere else (the package pins ``textual<9``; a new major release is
checked against this module before the pin moves). ``tests/test_textual_compat.py`` fails, naming
the missing name, as soon as an installed Textual lacks one, rather than letting a frame come
out wrong.

- ``Widget._scroll_update``: the explorer's scrolled area follows the count of its rows. Setting
  ``virtual_size`` the public way lays the whole screen out again (milliseconds at 120x40) and
  draws the moved scroll bar a frame later; where the scroll bar stays as it is, Textual's own
  update of the scroll bars alone is enough.
- ``Screen._compositor`` and ``Screen._compositor_refresh`` (tests and the benchmark only): what a
  screen shows as plain text, and the moment each frame is composed, to check that a change is
  drawn in one frame and to time it.
- ``App._notifications`` (tests only): the notifications on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

CLASS_NAMES: dict[type, tuple[str, ...]] = {
    Widget: ("_scroll_update",),
    Screen: ("_compositor_refresh",),
}
"""Private methods pithtui calls, by the class that defines them."""
INSTANCE_NAMES: dict[type, tuple[str, ...]] = {
    Screen: ("_compositor",),
    App: ("_notifications",),
}
"""Private attributes pithtui reads, set on each instance of the class."""


def missing(app: App[object] | None = None) -> list[str]:
    """The private names this module relies on that the installed Textual lacks (the instance
    attributes are checked on ``app`` and its screen when one is running)."""
    gone = [f"{cls.__name__}.{name}" for cls, names in CLASS_NAMES.items() for name in names if not hasattr(cls, name)]
    if app is not None:
        instances: dict[type, object] = {App: app, Screen: app.screen}
        for cls, names in INSTANCE_NAMES.items():
            gone += [f"{cls.__name__}.{name}" for name in names if not hasattr(instances[cls], name)]
    return gone


def update_scrollbars(widget: Widget, size: Size) -> None:
    """Bring ``widget``'s scroll bars in line with its new virtual ``size`` (already set with
    ``set_reactive``) without laying the screen out again."""
    widget._scroll_update(size)


def screen_text(screen: Screen[object]) -> str:
    """What ``screen`` shows, as plain text, a line per row."""
    return "\n".join(strip.text for strip in screen._compositor.render_strips())


def screen_strips(screen: Screen[object]) -> list[object]:
    """What ``screen`` shows, as Textual's strips (text with styles)."""
    return list(screen._compositor.render_strips())


def notifications(app: App[object]) -> list[str]:
    """The messages of the notifications ``app`` shows."""
    return [notification.message for notification in app._notifications]


Compose = Callable[[], None]


def hook_frames(screen_class: type[Screen[object]], around: Callable[[Screen[object], Compose], None]) -> Compose:
    """Have each screen of ``screen_class`` compose its frames through ``around(screen,
    compose)``, which must call ``compose()`` once; returns what undoes the hook."""
    composed = screen_class._compositor_refresh

    def refresh(screen: Screen[object]) -> None:
        around(screen, lambda: composed(screen))

    screen_class._compositor_refresh = refresh  # type: ignore[method-assign,assignment]

    def undo() -> None:
        screen_class._compositor_refresh = composed  # type: ignore[method-assign]

    return undo


@contextmanager
def frames(screen_class: type[Screen[object]], seen: Callable[[Screen[object]], None]) -> Iterator[None]:
    """Call ``seen(screen)`` each time a screen of ``screen_class`` has composed a frame."""

    def around(screen: Screen[object], compose: Compose) -> None:
        compose()
        seen(screen)

    undo = hook_frames(screen_class, around)
    try:
        yield
    finally:
        undo()
