"""``pithtui classify`` and the classifier's labels in ``show``, as a user runs them.

Each run is a subprocess with its own default store (see conftest's ``run_cli``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_citation_labels import CONTRASTING, SUPPORTING, USES, edge

HUB = "1706.03762"


def page_file(tmp_path: Path, edges: list[dict[str, Any]]) -> str:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"offset": 0, "data": edges}), encoding="utf-8")
    return str(path)


def show_json(run_cli: Any, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = run_cli("show", HUB, "--format", "json", *args, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_show_json_gives_effective_labels_who_gave_them_and_each_context(run_cli: Any, tmp_path: Path) -> None:
    edges = [edge(1, [CONTRASTING]), edge(2, [USES], ["methodology"]), edge(3, [SUPPORTING, USES]), edge(4, [])]
    assert run_cli("import", page_file(tmp_path, edges), "--hub", HUB).returncode == 0
    data = show_json(run_cli)
    by_title = {row["title"]: row for row in data["citing"]}
    one, two, three, four = (by_title[f"Citing paper {n}"] for n in (1, 2, 3, 4))
    assert one["polarity"] == "contrasting" and one["polarity_by"].startswith("pithtui:")
    assert one["roles"] and one["roles_by"] == one["polarity_by"]
    [context] = one["contexts"]
    assert context["text"] == CONTRASTING and context["polarity"] == "contrasting" and 0 < context["score"] <= 1
    assert (two["roles"], two["roles_by"]) == (["uses"], "semantic_scholar")
    assert len(three["contexts"]) == 2 and three["polarity"] == "supporting"
    assert (four["polarity"], four["polarity_by"], four["contexts"]) == (None, None, [])
    assert data["polarity_unclassified"] == 1 and data["polarity_without_context"] == 1
    assert data["facets"]["polarity"]["contrasting"] == 1
    # --polarity and --role filter on the effective labels.
    only = show_json(run_cli, "--polarity", "contrasting")
    assert [row["title"] for row in only["citing"]] == ["Citing paper 1"]
    uses = show_json(run_cli, "--role", "uses")
    assert "Citing paper 2" in [row["title"] for row in uses["citing"]]
    text = " ".join(run_cli("show", HUB).stdout.split())  # as wrapped to the terminal, unwrapped
    assert "Polarity: 3 of 4 classified; the other 1 has no citing sentence to classify." in text


def test_an_exported_hub_imported_again_keeps_the_models_labels_the_models(run_cli: Any, tmp_path: Path) -> None:
    assert run_cli("import", page_file(tmp_path, [edge(1, [CONTRASTING])]), "--hub", HUB).returncode == 0
    exported = tmp_path / "hub.json"
    assert run_cli("show", HUB, "--format", "json", "-o", str(exported)).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run_cli("import", str(exported), "--db", other).returncode == 0
    [row] = show_json(run_cli, "--db", other)["citing"]
    assert row["polarity"] == "contrasting" and row["polarity_by"].startswith("pithtui:")


def test_classify_labels_what_was_stored_unlabelled(run_cli: Any, cli_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "missing-model.json"
    unlabelled = {**cli_env, "PITHTUI_MODEL": str(broken)}
    done = run_cli(
        "import", page_file(tmp_path, [edge(n, [CONTRASTING if n % 2 else USES]) for n in range(6)]), "--hub", HUB, env=unlabelled
    )
    assert done.returncode == 0, done.stderr
    assert "citations left unclassified" in done.stdout and str(broken) in done.stdout
    assert show_json(run_cli)["polarity_unclassified"] == 6
    refused = run_cli("classify", HUB, env=unlabelled)
    assert refused.returncode == 1 and str(broken) in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    done = run_cli("classify", HUB)
    assert done.returncode == 0, done.stderr
    assert "classified 6 citations" in done.stdout
    data = show_json(run_cli)
    assert data["polarity_unclassified"] == 0
    assert data["facets"]["polarity"]["contrasting"] == 3
    again = run_cli("classify", "--all")
    assert "classified 0 citations" in again.stdout
    assert "classified 6 citations" in run_cli("classify", "--all", "--force").stdout


def test_classify_needs_one_hub_or_all(run_cli: Any) -> None:
    for args in ((), (HUB, "--all")):
        done = run_cli("classify", *args)
        assert done.returncode == 1
        assert done.stderr.strip() == "pithtui: error: classify: give one hub's REF or --all"
    unknown = run_cli("classify", "no such paper at all")
    assert unknown.returncode == 1 and "no paper in the store matches" in unknown.stderr
