"""Repository calls in worker threads: stopped when the worker is, and failing as one-line
notifications, never as a crash.

Workers here run with ``exit_on_error=False``. Textual tells only the node that started a
worker about its failure (``Worker.StateChanged`` does not bubble), so every node that starts
workers mixes this in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState, get_current_worker

from pithtui.errors import PithError

if TYPE_CHECKING:
    from textual.dom import DOMNode as _Node

    from pithtui.store import HubRepository
else:
    _Node = object


@contextmanager
def stopped_with_worker(repo: HubRepository) -> Iterator[Worker]:
    """The current worker, whose repository calls inside stop (raising
    :class:`~pithtui.errors.Cancelled`) once it is cancelled: an exclusive worker is cancelled
    by a newer question of its group (the filters changed again), and the older answer would
    only be thrown away."""
    worker = get_current_worker()
    with repo.cancel_when(lambda: worker.is_cancelled):
        yield worker


class ReportsWorkerErrors(_Node):
    """Notify the user, in one line, when a worker of this node raises."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            text = str(error) if isinstance(error, PithError) else f"{type(error).__name__}: {error}"
            self.app.notify(text, title="pithtui", severity="error", markup=False, timeout=8)
