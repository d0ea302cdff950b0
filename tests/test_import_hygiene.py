"""Nothing but the TUI loads Textual when imported (so quick lookups start fast), and the CLI
loads it only to run the TUI; nothing offline loads the network library (httpx): neither a
start nor ``show`` of a stored paper, with or without ``--fetch``. Checked in a fresh interpreter, where ``sys.modules`` shows
everything an import brought along. Which floor may import which is checked statically by
import-linter (the contracts in pyproject.toml, run by .ci/run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    assert "httpx" not in loaded
    assert "pithtui" in loaded


@pytest.mark.parametrize("extra", [(), ("--fetch",)], ids=["show", "show-fetch"])
def test_show_of_a_stored_paper_loads_no_network_library(tmp_path: Path, extra: tuple[str, ...]) -> None:
    db = str(tmp_path / "store.db")
    sample = Path(__file__).resolve().parents[1] / "pithtui" / "data" / "sample_hub.json"
    subprocess.run([sys.executable, "-m", "pithtui", "import", str(sample), "--db", db], capture_output=True, check=True)
    args = ["show", "2305.17493", "--db", db, *extra]
    code = (
        "import json, sys; from pithtui.cli import main; status = main(sys.argv[1:]); "
        "sys.stderr.write(json.dumps([status, sorted(sys.modules)]))"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    status, modules = json.loads(done.stderr)
    assert status == 0 and "Curse of Recursion" in done.stdout
    loaded = {name.split(".")[0] for name in modules}
    assert "httpx" not in loaded and "textual" not in loaded


def test_the_check_sees_what_an_import_brings() -> None:
    """The TUI does import Textual: the check above would notice if another module did."""
    assert "textual" in imported_after("pithtui.tui.app")
