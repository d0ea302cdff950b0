"""Each floor imports only what it needs: the domain pulls in neither SQLAlchemy nor Textual, and
nothing but the TUI pulls in Textual (so quick lookups start fast). Checked in a fresh
interpreter, where ``sys.modules`` shows everything an import brought along."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def imported_after(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(done.stdout)}


@pytest.mark.parametrize("module", ["pithtui.models", "pithtui.identifiers", "pithtui.errors", "pithtui.text"])
def test_the_domain_needs_neither_sqlalchemy_nor_textual(module: str) -> None:
    loaded = imported_after(module)
    assert "sqlalchemy" not in loaded
    assert "textual" not in loaded
    assert "rich" not in loaded


@pytest.mark.parametrize("module", ["pithtui.store", "pithtui.export", "pithtui.hub_text", "pithtui.cli", "pithtui.sources.sample"])
def test_only_the_tui_imports_textual(module: str) -> None:
    loaded = imported_after(module)
    assert "textual" not in loaded
    assert "pithtui" in loaded


def test_the_check_sees_what_an_import_brings() -> None:
    """The TUI does import Textual: the check above would notice if another module did."""
    assert "textual" in imported_after("pithtui.tui.app")
