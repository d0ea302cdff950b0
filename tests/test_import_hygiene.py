"""Nothing but the TUI loads Textual when imported (so quick lookups start fast), and the CLI
loads it only to run the TUI. Checked in a fresh interpreter, where ``sys.modules`` shows
everything an import brought along. Which floor may import which is checked statically by
import-linter (the contracts in pyproject.toml, run by .ci/run)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def imported_after(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(done.stdout)}


@pytest.mark.parametrize(
    "module", ["pithtui.store", "pithtui.export", "pithtui.hub_text", "pithtui.cli", "pithtui.sources.sample"]
)
def test_only_the_tui_imports_textual(module: str) -> None:
    loaded = imported_after(module)
    assert "textual" not in loaded
    assert "pithtui" in loaded


def test_the_check_sees_what_an_import_brings() -> None:
    """The TUI does import Textual: the check above would notice if another module did."""
    assert "textual" in imported_after("pithtui.tui.app")
