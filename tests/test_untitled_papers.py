"""A paper known only by an identifier so far (a hub named with --hub before its record is
imported, a Semantic Scholar edge without a title) is shown by that identifier, never as a
blank line, and takes its title when a record that has one arrives."""

from __future__ import annotations

import json


def test_untitled_papers_show_their_identifier_until_a_title_arrives(run_cli, tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    edge = {"citingPaper": {"paperId": "ab" * 20, "title": None, "externalIds": {"CorpusId": 99}}}
    (tmp_path / "edge.json").write_text(json.dumps(edge))
    assert run_cli("import", "--db", db, "--hub", "CorpusId:5", str(tmp_path / "edge.json")).returncode == 0

    shown = run_cli("show", "--db", db, "CorpusId:5")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "(untitled CorpusId:5)"
    assert "(untitled CorpusId:99)" in shown.stdout
    listed = run_cli("papers", "--db", db).stdout
    assert "(untitled CorpusId:5)" in listed and "(untitled CorpusId:99)" in listed

    titled = {"paperId": "cd" * 20, "title": "The hub at last", "externalIds": {"CorpusId": 5}}
    (tmp_path / "hub.json").write_text(json.dumps(titled))
    assert run_cli("import", "--db", db, str(tmp_path / "hub.json")).returncode == 0
    assert run_cli("show", "--db", db, "CorpusId:5").stdout.splitlines()[0] == "The hub at last"
