"""``pithtui fetch`` against recorded sessions replayed through httpx.MockTransport: paging,
rate limits, pacing, keys, missing papers and an absent network. No test touches the network;
tests/test_fetch_server.py drives the CLI against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from sources_support import Replay, cassette

from pithtui.errors import InputError, PithError
from pithtui.progress import ProgressBar
from pithtui.sources.fetch import S2_API, Fetched, Retry
from pithtui.sources.fetch import fetch as paced_fetch
from pithtui.store import HubRepository

# Replays match on the path and offset: the recordings asked for fewer fields, and page sizes
# are cut to what the test's --limit leaves.
IGNORED = frozenset({"fields", "limit"})


def fetch(*args: Any, **kwargs: Any) -> Fetched:
    """A fetch without the services' pacing: the mocked transports answer at once, and these
    tests count every sleep (test_requests_keep_to_the_service_pace checks the pacing)."""
    return paced_fetch(*args, **{"interval": 0.0, **kwargs})


def _hub_ref(url: str) -> str:
    return unquote(urlsplit(url).path).split("/paper/")[1].split("/")[0]


def _citations_replay(shared: Path) -> tuple[Replay, str, list[dict]]:
    """The recorded citations session, plus the hub's own answer, which was not recorded: a
    paper object that says only how many papers cite it."""
    recorded = cassette(shared / "semantic-scholar" / "test_get_paper_citations.yaml")
    ref = _hub_ref(recorded[0]["url"])
    pages = [json.loads(item["body"]) for item in recorded]
    replay = Replay(recorded, IGNORED)
    total = sum(len(p["data"]) for p in pages)
    replay.add(f"{S2_API}/paper/{ref}", 200, {"paperId": "0" * 40, "title": "The hub", "citationCount": total})
    return replay, ref, pages


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"unexpected sleep({seconds})")


def test_fetch_follows_every_recorded_page(shared_data: Path, store: HubRepository) -> None:
    replay, ref, pages = _citations_replay(shared_data)
    seen: list[tuple[int, int | None]] = []
    done = fetch(store, ref, client=replay.client(), sleep=_no_sleep, progress=lambda d, t: seen.append((d, t)))

    edges = [e["citingPaper"] for page in pages for e in page["data"]]
    assert len(replay.requests) == 1 + len(pages)
    assert [r.url.params["offset"] for r in replay.requests[1:]] == [str(p["offset"]) for p in pages]
    hub = store.resolve(ref)
    assert (hub.title, hub.cited_by_reported) == ("The hub", len(edges))
    assert done.result.citations_added == store.count(hub.id) == len(edges)
    stored = {(r.paper.s2_id, r.paper.title) for r in store.iter_citing(hub.id)}
    assert stored == {(e["paperId"], " ".join(e["title"].split())) for e in edges}
    assert seen[-1] == (len(edges), len(edges))
    assert {r.url.params["fields"] for r in replay.requests[1:]} == {replay.requests[1].url.params["fields"]}
    assert "contextsWithIntent" in replay.requests[1].url.params["fields"]


def test_fetch_limit_stops_early_and_cuts_the_last_page(shared_data: Path, store: HubRepository) -> None:
    replay, ref, _ = _citations_replay(shared_data)
    fetch(store, ref, limit=150, client=replay.client(), sleep=_no_sleep)
    # The recorded pages hold 100 each, whatever the limit asked: the second asks for what is left.
    assert [r.url.params["limit"] for r in replay.requests[1:]] == ["150", "50"]
    assert store.count(store.resolve(ref).id) == 150


def test_fetch_of_a_recorded_paper(shared_data: Path, store: HubRepository) -> None:
    [item] = cassette(shared_data / "semantic-scholar" / "test_get_paper.yaml")
    ref = unquote(urlsplit(item["url"]).path).split("/paper/")[1]
    replay = Replay([item], IGNORED)
    replay.add(f"{S2_API}/paper/{ref}/citations?offset=0", 200, {"offset": 0, "data": []})
    fetch(store, ref, client=replay.client(), sleep=_no_sleep)
    paper = store.resolve(ref)
    assert (paper.title, paper.s2_id) == (json.loads(item["body"])["title"], json.loads(item["body"])["paperId"])


def test_recorded_not_found_is_one_line_and_stores_nothing(shared_data: Path, store: HubRepository) -> None:
    recorded = cassette(shared_data / "semantic-scholar" / "test_not_found.yaml")
    paper_404 = next(i for i in recorded if "/paper/" in i["url"])
    with pytest.raises(PithError, match=json.loads(paper_404["body"])["error"]) as caught:
        fetch(store, _hub_ref(paper_404["url"]), client=Replay(recorded, IGNORED).client(), sleep=_no_sleep)
    assert "Semantic Scholar has no paper '0'" in str(caught.value)
    assert store.is_empty()


def _edge(n: int) -> dict:
    return {"citingPaper": {"paperId": f"{n:040x}", "title": f"P{n}"}, "intents": ["background"], "contexts": [f"c{n}"]}


def test_rate_limit_waits_as_told_then_goes_on(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S2_API_KEY", "secret-key")
    answers = iter(
        [
            httpx.Response(200, json={"paperId": "a" * 40, "title": "Hub"}),
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503),
            httpx.Response(200, json={"offset": 0, "data": [_edge(1), _edge(2)]}),
        ]
    )
    keys: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("x-api-key"))
        return next(answers)

    waits: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(handler))
    done = fetch(store, "a" * 40, client=client, sleep=waits.append, retry=Retry(attempts=3, first_wait=0.5))
    assert waits == [7.0, 1.0]  # Retry-After, then the doubling wait of the second try
    assert keys == ["secret-key"] * 4
    assert done.result.citations_added == 2
    [row] = [r for r in store.iter_citing(store.resolve("a" * 40).id) if r.paper.title == "P1"]
    assert (row.roles, row.contexts) == (("background",), ("c1",))


def test_rate_limit_that_never_ends_gives_up_and_stores_nothing(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("S2_API_KEY", raising=False)
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(429, headers={"Retry-After": "9999"})))
    waits: list[float] = []
    with pytest.raises(PithError, match=r"still rate limiting after 4 tries.*S2_API_KEY"):
        fetch(store, "CorpusId:1", client=client, sleep=waits.append, retry=Retry(attempts=4, max_wait=30))
    assert waits == [30, 30, 30]  # bounded
    assert store.is_empty()


def test_no_network_is_one_line_and_stores_nothing(store: HubRepository) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    with pytest.raises(PithError, match=r"cannot reach Semantic Scholar .*network.*Nothing was stored"):
        fetch(store, "2305.17493", client=httpx.Client(transport=httpx.MockTransport(refuse)), sleep=_no_sleep)
    assert store.is_empty()


def test_failure_on_a_later_page_stores_nothing(store: HubRepository) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/citations"):
            if request.url.params["offset"] == "0":
                return httpx.Response(200, json={"offset": 0, "next": 1, "data": [_edge(1)]})
            raise httpx.ReadError("connection reset", request=request)
        return httpx.Response(200, json={"paperId": "a" * 40, "title": "Hub"})

    with pytest.raises(PithError, match="connection to Semantic Scholar broke.*nothing was stored"):
        fetch(store, "a" * 40, client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=_no_sleep)
    assert store.is_empty()


def test_openalex_follows_cursors_with_mailto(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENALEX_MAILTO", "me@example.org")
    hub = {
        "id": "https://openalex.org/W1",
        "title": "Hub",
        "cited_by_count": 3,
        "doi": "https://doi.org/10.48550/arxiv.2305.17493",
    }
    pages = {
        "*": {
            "meta": {"count": 3, "next_cursor": "c2"},
            "results": [{"id": "https://openalex.org/W2", "title": "A"}, {"id": "https://openalex.org/W3", "title": "B"}],
        },
        "c2": {"meta": {"count": 3, "next_cursor": "c3"}, "results": [{"id": "https://openalex.org/W4", "title": "C"}]},
        "c3": {"meta": {"count": 3, "next_cursor": None}, "results": []},
    }
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path == "/works/doi:10.48550/arxiv.2305.17493":
            return httpx.Response(200, json=hub)
        assert request.url.params["filter"] == "cites:W1"
        return httpx.Response(200, json=pages[request.url.params["cursor"]])

    fetch(store, "2305.17493", "openalex", client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=_no_sleep)
    assert {r.url.params["mailto"] for r in requests} == {"me@example.org"}
    stored = store.resolve("W1")
    assert (stored.arxiv_id, stored.cited_by_reported) == ("2305.17493", 3)
    assert {r.paper.openalex_id for r in store.iter_citing(stored.id)} == {"W2", "W3", "W4"}


def test_arxiv_fetch_reads_the_recorded_feed(shared_data: Path, store: HubRepository) -> None:
    recorded = json.loads((shared_data / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json").read_text(encoding="utf-8"))
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(recorded["status_code"], text=recorded["body"])))
    fetch(store, "1605.08386", "arxiv", client=client, sleep=_no_sleep)
    assert store.resolve("1605.08386").category == "math.CO"


def test_references_a_source_cannot_use_are_refused_before_any_request(store: HubRepository) -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: pytest.fail("no request expected")))
    with pytest.raises(InputError, match="OpenAlex ids"):
        fetch(store, "W123", "s2", client=client)
    with pytest.raises(InputError, match="arXiv needs an arXiv id"):
        fetch(store, "10.1000/x", "arxiv", client=client)
    with pytest.raises(InputError, match="unknown source"):
        fetch(store, "10.1000/x", "crossref", client=client)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_only_on_a_terminal() -> None:
    terminal = _Terminal()
    with ProgressBar("fetching", terminal) as bar:
        bar(50, 200)
        bar(60, None)
    assert "\rfetching  50/200 [#######" in terminal.getvalue() and terminal.getvalue().endswith("\n")
    piped = io.StringIO()
    with ProgressBar("fetching", piped) as bar:
        bar(50, 200)
    assert piped.getvalue() == ""


def test_requests_keep_to_the_service_pace(store: HubRepository) -> None:
    """Semantic Scholar is asked at most once a second, whatever the pages' speed."""
    now = [100.0]
    asked: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(now[0])
        if request.url.path.endswith("/citations"):
            offset = int(request.url.params["offset"])
            page = {"offset": offset, "data": [_edge(offset + 1)], **({"next": offset + 1} if offset < 2 else {})}
            return httpx.Response(200, json=page)
        return httpx.Response(200, json={"paperId": "a" * 40, "title": "Hub"})

    def sleep(seconds: float) -> None:
        now[0] += seconds

    paced_fetch(store, "a" * 40, client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=sleep, clock=lambda: now[0])
    assert asked == [100.0, 101.0, 102.0, 103.0]


def test_service_addresses_come_from_the_environment(store: HubRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PITHTUI_S2_URL", "http://127.0.0.1:9/s2/")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.copy_with(query=None)))
        if request.url.path.endswith("/citations"):
            return httpx.Response(200, json={"offset": 0, "data": []})
        return httpx.Response(200, json={"paperId": "a" * 40, "title": "Hub"})

    fetch(store, "a" * 40, client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=_no_sleep)
    assert seen == [f"http://127.0.0.1:9/s2/paper/{'a' * 40}", f"http://127.0.0.1:9/s2/paper/{'a' * 40}/citations"]
    monkeypatch.setenv("PITHTUI_OPENALEX_URL", "mailto:me@example.org")
    with pytest.raises(InputError, match="PITHTUI_OPENALEX_URL is not an http"):
        fetch(store, "W1", "openalex", client=httpx.Client(transport=httpx.MockTransport(handler)))
