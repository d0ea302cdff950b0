"""``pithtui fetch`` and ``pithtui show --fetch`` run as a user runs them, against a real HTTP
server on 127.0.0.1 (pytest-httpserver) that the ``PITHTUI_*_URL`` variables point at: the
recorded Semantic Scholar pages, a stand-in that keeps Semantic Scholar's paging rules, and
the faults a network has. Each test asserts what the user sees (the lines, the exit status)
and what the store holds afterwards."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sources_support import cassette
from werkzeug import Request, Response

from pithtui.sources.fetch import S2_LISTED, S2_PAGE

Run = Callable[..., subprocess.CompletedProcess[str]]
SAMPLE = Path(__file__).resolve().parents[1] / "pithtui" / "data" / "sample_hub.json"
S2_BASE = "/graph/v1"
OPENALEX_BASE = "/openalex"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


def _edge(n: int, doi: str | None = None) -> dict[str, Any]:
    citing: dict[str, Any] = {"paperId": f"{n:040x}", "title": f"Citing paper {n}", "year": 2020 + n % 5}
    if doi:
        citing["externalIds"] = {"DOI": doi}
    return {"citingPaper": citing, "intents": ["background"], "contexts": [f"as shown in [{n}]"], "isInfluential": False}


@dataclass
class Stand:
    """Semantic Scholar's paper and citations endpoints over papers the test makes, keeping its
    paging rules: ``limit`` at most 1,000 and ``offset + limit`` below 10,000, else HTTP 400.
    ``faults`` answer a citations request (by its offset) in place of the rules, unless they
    answer None."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    citations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: dict[int, Callable[[Request], Response | None]] = field(default_factory=dict)
    pages: list[tuple[int, int]] = field(default_factory=list)
    """(offset, limit) of every citations request, in order."""
    times: list[float] = field(default_factory=list)
    """When each request came (time.monotonic)."""

    def add(self, ref: str, n: int, doi: str | None = None) -> None:
        self.papers[ref] = {"paperId": "f" * 40, "title": "The hub", "citationCount": n}
        if doi:
            self.papers[ref]["externalIds"] = {"DOI": doi}
        self.citations[ref] = [_edge(i) for i in range(n)]

    def __call__(self, request: Request) -> Response:
        self.times.append(time.monotonic())
        found = re.fullmatch(rf"{S2_BASE}/paper/(.+?)(/citations)?", request.path)
        ref = found.group(1) if found else ""
        if ref not in self.papers:
            return _json({"error": f"Paper with id {ref} not found"}, 404)
        if not found or not found.group(2):
            return _json(self.papers[ref])
        offset, limit = int(request.args.get("offset", 0)), int(request.args.get("limit", 100))
        self.pages.append((offset, limit))
        if offset in self.faults and (fault := self.faults[offset](request)) is not None:
            return fault
        if limit > 1000:
            return _json({"error": "Requested limit exceeds the maximum of 1000"}, 400)
        if offset + limit >= 10000:
            return _json({"error": "offset + limit must be < 10000"}, 400)
        edges = self.citations[ref]
        page: dict[str, Any] = {"offset": offset, "data": edges[offset : offset + limit]}
        if offset + limit < len(edges):
            page["next"] = offset + limit
        return _json(page)


@pytest.fixture
def stand(httpserver: HTTPServer, cli_env: dict[str, str]) -> Stand:
    """The stand-in, with the CLI's Semantic Scholar pointed at it."""
    served = Stand()
    httpserver.expect_request(re.compile(rf"^{S2_BASE}/.*")).respond_with_handler(served)
    cli_env["PITHTUI_S2_URL"] = httpserver.url_for(S2_BASE)
    cli_env.pop("S2_API_KEY", None)
    return served


@pytest.fixture
def db(run_cli: Run, tmp_path: Path) -> str:
    """A store holding the sample hub, so that "the store as before" is not just "empty"."""
    path = str(tmp_path / "store.db")
    done = run_cli("import", str(SAMPLE), "--db", path)
    assert done.returncode == 0, done.stderr
    return path


def _holds(run_cli: Run, db: str) -> tuple[str, str]:
    """What a user sees the store hold: every paper with its citing count, and the counts."""
    papers = run_cli("papers", "--format", "json", "--db", db)
    info = run_cli("db", "info", "--db", db)
    return papers.stdout, info.stdout


def _citing(run_cli: Run, db: str, ref: str) -> list[dict[str, Any]]:
    done = run_cli("show", ref, "--format", "json", "--db", db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["citing"]


def _fails_in_one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("pithtui: error: ")
    for word in words:
        assert word in line
    return line


# ---------------------------------------------------------------- paging


def test_recorded_pages_are_followed_by_offset_and_next(
    shared_data: Path, httpserver: HTTPServer, cli_env: dict[str, str], run_cli: Run, tmp_path: Path
) -> None:
    """The recorded session's pages, served by offset: fetch asks for pages of up to 1,000, follows
    each page's ``next`` and stores every citing paper of every page."""
    recorded = cassette(shared_data / "semantic-scholar" / "test_get_paper_citations.yaml")
    pages = {json.loads(item["body"])["offset"]: item["body"] for item in recorded}
    edges = [e["citingPaper"] for body in pages.values() for e in json.loads(body)["data"]]
    asked: list[tuple[int, int]] = []

    def answer(request: Request) -> Response:
        if not request.path.endswith("/citations"):
            return _json({"paperId": "0" * 40, "title": "The hub", "citationCount": len(edges)})
        asked.append((int(request.args["offset"]), int(request.args["limit"])))
        return Response(pages[int(request.args["offset"])], content_type="application/json")

    httpserver.expect_request(re.compile(rf"^{S2_BASE}/paper/CorpusID:14514057.*")).respond_with_handler(answer)
    cli_env["PITHTUI_S2_URL"] = httpserver.url_for(S2_BASE)
    db = str(tmp_path / "store.db")

    done = run_cli("fetch", "CorpusId:14514057", "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(f"Semantic Scholar CorpusId:14514057 [s2]: {len(edges) + 1} papers added")
    assert [offset for offset, _ in asked] == sorted(pages)
    assert all(limit <= S2_PAGE for _, limit in asked) and asked[0] == (0, S2_PAGE)
    stored = {(c["s2_id"], c["title"]) for c in _citing(run_cli, db, "CorpusId:14514057")}
    assert stored == {(e["paperId"], " ".join(e["title"].split())) for e in edges}


def test_show_fetch_prints_all_1000_from_an_empty_store(stand: Stand, run_cli: Run, tmp_path: Path) -> None:
    """The issue's "done when": a miss fetched by ``show --fetch`` prints every citing paper;
    shown again, the stored paper is answered without asking the service."""
    stand.add("10.5555/hub.1000", 1000, doi="10.5555/hub.1000")
    db = str(tmp_path / "new.db")

    done = run_cli("show", "10.5555/hub.1000", "--fetch", "--format", "json", "--db", db)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["paper"]["doi"] == "10.5555/hub.1000"
    assert len(shown["citing"]) == 1000
    assert {c["title"] for c in shown["citing"]} == {f"Citing paper {n}" for n in range(1000)}
    assert stand.pages == [(0, 1000)]
    [report] = done.stderr.splitlines()  # the fetch's own report, apart from the JSON
    assert "1000 citations added" in report

    again = run_cli("show", "10.5555/hub.1000", "--fetch", "--format", "json", "--db", db)
    assert again.returncode == 0 and json.loads(again.stdout) == shown and again.stderr == ""
    assert len(stand.times) == 2  # the first show's two requests, none since


def test_a_miss_says_how_to_fetch_and_asks_nobody(stand: Stand, run_cli: Run, db: str) -> None:
    before = _holds(run_cli, db)
    line = _fails_in_one_line(run_cli("show", "10.5555/missing", "--db", db), "'10.5555/missing' is not in the store")
    assert "`pithtui fetch 10.5555/missing` or `pithtui show 10.5555/missing --fetch`" in line
    words = _fails_in_one_line(run_cli("show", "no such title words", "--db", db), "no paper in the store matches")
    assert "fetch" not in words
    assert stand.times == [] and _holds(run_cli, db) == before


def test_12000_citations_store_the_9999_listed_and_say_so(stand: Stand, run_cli: Run, tmp_path: Path) -> None:
    """Pages of 1,000, the last cut to 999 so that offset + limit stays below 10,000 (the stand
    answers 400 past it); the 9,999 stored, and one line on the cap."""
    stand.add("CorpusID:12000", 12000)
    db = str(tmp_path / "store.db")

    done = run_cli("fetch", "CorpusId:12000", "--db", db)
    assert done.returncode == 0, done.stderr
    assert stand.pages == [(offset, 1000) for offset in range(0, 9000, 1000)] + [(9000, 999)]
    assert all(offset + limit < 10000 for offset, limit in stand.pages)
    assert "9999 citations added" in done.stdout
    [cap] = done.stderr.splitlines()
    assert cap.startswith("pithtui: Semantic Scholar lists no more than 9,999 citing papers; the paper has 12,000")
    assert cap.endswith("pithtui fetch CorpusId:12000 --source openalex")
    head = json.loads(run_cli("show", "CorpusId:12000", "--format", "json", "--limit", "0", "--db", db).stdout)
    assert (head["citing_count"], head["cited_by_reported"]) == (S2_LISTED, 12000)


# ---------------------------------------------------------------- rate limits and server errors


def test_429_waits_as_retry_after_says_then_goes_on(stand: Stand, run_cli: Run, tmp_path: Path) -> None:
    stand.add("CorpusID:5", 5)
    first = [_json({"message": "Too Many Requests"}, 429, {"Retry-After": "2"})]
    stand.faults[0] = lambda request: first.pop() if first else None
    db = str(tmp_path / "store.db")

    done = run_cli("fetch", "CorpusId:5", "--db", db)
    assert done.returncode == 0, done.stderr
    assert stand.pages == [(0, 1000), (0, 1000)]
    assert stand.times[2] - stand.times[1] >= 2.0  # the 429's Retry-After
    assert stand.times[1] - stand.times[0] >= 0.9  # one request a second
    assert len(_citing(run_cli, db, "CorpusId:5")) == 5


def test_server_error_is_retried_a_few_times_then_one_line(stand: Stand, run_cli: Run, db: str) -> None:
    stand.add("CorpusID:5", 5)
    # Retry-After keeps the test short; without it the waits double from a second.
    stand.faults[0] = lambda request: _json({"message": "Internal Server Error"}, 500, {"Retry-After": "0"})
    before = _holds(run_cli, db)
    _fails_in_one_line(
        run_cli("fetch", "CorpusId:5", "--db", db),
        "Semantic Scholar failed with HTTP 500 after 5 tries (Internal Server Error)",
        "Nothing was stored",
    )
    assert stand.pages == [(0, 1000)] * 5
    assert _holds(run_cli, db) == before


def test_unknown_paper_is_one_line(stand: Stand, run_cli: Run, db: str) -> None:
    before = _holds(run_cli, db)
    _fails_in_one_line(
        run_cli("show", "10.5555/nobody", "--fetch", "--db", db),
        "Semantic Scholar has no paper '10.5555/nobody' (Paper with id 10.5555/nobody not found)",
    )
    assert _holds(run_cli, db) == before


# ---------------------------------------------------------------- broken answers and networks


def _dropped(request: Request) -> Response:
    """Half a page, then the connection closes."""

    def body() -> Iterator[bytes]:
        yield json.dumps({"offset": 1000, "data": [_edge(n) for n in range(1000, 1100)]})[:4000].encode()
        raise ConnectionResetError("the stand drops the connection")

    return Response(body(), headers={"Content-Length": "200000", "Content-Type": "application/json"})


def _not_json(request: Request) -> Response:
    return Response('{"offset": 1000, "data": [{"citingPaper": ', content_type="application/json")


def _list_grew(request: Request) -> Response:
    """The page after the first, as it reads once one more paper cites the hub: it starts with
    the last paper of the page before."""
    return _json({"offset": 1000, "next": 2000, "data": [_edge(n) for n in range(999, 1999)]})


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (_dropped, "the connection to Semantic Scholar broke before the answer was complete"),
        (_not_json, "Semantic Scholar sent something that is not JSON for 'CorpusId:2500'"),
        (_list_grew, "list of papers citing 'CorpusId:2500' changed while it was being fetched"),
    ],
    ids=["dropped-mid-page", "malformed-json", "list-changed-between-pages"],
)
def test_a_broken_second_page_is_one_line_and_stores_nothing(
    stand: Stand, run_cli: Run, db: str, fault: Callable[[Request], Response | None], said: str
) -> None:
    stand.add("CorpusID:2500", 2500)
    stand.faults[1000] = fault
    before = _holds(run_cli, db)
    _fails_in_one_line(run_cli("fetch", "CorpusId:2500", "--db", db), said, "othing was stored")
    assert stand.pages[:2] == [(0, 1000), (1000, 1000)]
    assert _holds(run_cli, db) == before


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_service_there_is_one_line(run_cli: Run, cli_env: dict[str, str], db: str) -> None:
    port = _closed_port()
    cli_env["PITHTUI_S2_URL"] = f"http://127.0.0.1:{port}/graph/v1"
    before = _holds(run_cli, db)
    _fails_in_one_line(
        run_cli("show", "2301.00001", "--fetch", "--db", db),
        f"cannot reach Semantic Scholar at 127.0.0.1:{port}",
        "check the network connection",
    )
    assert _holds(run_cli, db) == before


@pytest.mark.parametrize("url", ["api.example.org/graph/v1", "ftp://api.example.org", "http://:80/x", "http://h:port/"])
def test_a_malformed_service_url_is_one_line(run_cli: Run, cli_env: dict[str, str], db: str, url: str) -> None:
    cli_env["PITHTUI_S2_URL"] = url
    _fails_in_one_line(run_cli("fetch", "2301.00001", "--db", db), "PITHTUI_S2_URL is not an http(s) URL", repr(url))


# ---------------------------------------------------------------- both services


def test_fetching_from_both_services_merges_by_identifier(
    stand: Stand, httpserver: HTTPServer, cli_env: dict[str, str], run_cli: Run, tmp_path: Path
) -> None:
    """Semantic Scholar's 9,999-paper list and OpenAlex's whole one meet in one hub: papers
    named by a shared DOI are stored once."""
    hub_doi = "10.5555/both"
    stand.papers[hub_doi] = {"paperId": "e" * 40, "title": "The hub", "citationCount": 3, "externalIds": {"DOI": hub_doi}}
    stand.citations[hub_doi] = [_edge(n, doi=f"10.5555/c{n}") for n in (1, 2, 3)]
    works = [
        {"id": f"https://openalex.org/W{n}", "title": f"Citing paper {n}", "doi": f"https://doi.org/10.5555/c{n}"}
        for n in (2, 3, 4)
    ]
    cursors: list[str] = []

    def openalex(request: Request) -> Response:
        if request.path == f"{OPENALEX_BASE}/works/doi:{hub_doi}":
            return _json({"id": "https://openalex.org/W100", "title": "The hub", "doi": f"https://doi.org/{hub_doi}"})
        assert request.args["filter"] == "cites:W100"
        cursors.append(request.args["cursor"])
        if request.args["cursor"] == "*":
            return _json({"meta": {"count": 3, "next_cursor": "more"}, "results": works[:2]})
        return _json({"meta": {"count": 3, "next_cursor": None}, "results": works[2:]})

    httpserver.expect_request(re.compile(rf"^{OPENALEX_BASE}/.*")).respond_with_handler(openalex)
    cli_env["PITHTUI_OPENALEX_URL"] = httpserver.url_for(OPENALEX_BASE)
    db = str(tmp_path / "store.db")

    assert run_cli("fetch", hub_doi, "--db", db).returncode == 0
    done = run_cli("fetch", hub_doi, "--source", "openalex", "--db", db)
    assert done.returncode == 0, done.stderr
    assert cursors == ["*", "more"]
    [hub] = [p for p in json.loads(run_cli("papers", "--format", "json", "--db", db).stdout) if p["doi"] == hub_doi]
    assert (hub["s2_id"], hub["openalex_id"], hub["citing_count"]) == ("e" * 40, "W100", 4)
    citing = {c["doi"]: c for c in _citing(run_cli, db, hub_doi)}
    assert sorted(citing) == [f"10.5555/c{n}" for n in (1, 2, 3, 4)]
    assert (citing["10.5555/c2"]["s2_id"], citing["10.5555/c2"]["openalex_id"]) == (f"{2:040x}", "W2")
