"""Repository calls in worker threads fail as one-line notifications, never as a crash.

Workers here run with ``exit_on_error=False``. Textual tells only the node that started a
worker about its failure (``Worker.StateChanged`` does not bubble), so every node that starts
workers mixes this in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from pithtui.errors import PithError

if TYPE_CHECKING:
    from textual.dom import DOMNode as _Node
else:
    _Node = object


class ReportsWorkerErrors(_Node):
    """Notify the user, in one line, when a worker of this node raises."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            text = str(error) if isinstance(error, PithError) else f"{type(error).__name__}: {error}"
            self.app.notify(text, title="pithtui", severity="error", markup=False, timeout=8)
