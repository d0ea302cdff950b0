"""``pithtui fetch``: a hub and its citing papers from the live services, stored in one upsert.

Every request goes through one ``httpx.Client``: handed in (some tests give one on an
``httpx.MockTransport``) or made for the fetch. The services are found at their public
addresses unless ``PITHTUI_S2_URL``, ``PITHTUI_OPENALEX_URL`` or ``PITHTUI_ARXIV_URL`` names
another (a mirror, a proxy, a test server). Requests to one service keep to its documented
pace without a key (``Source.interval``); a 429 or a 5xx answer is retried after the service's
``Retry-After`` or a doubling wait, both capped, a bounded number of times; the sleep and the
clock are injectable. Pages are followed to the end, to ``limit`` or to what the service lists
at most (Semantic Scholar: 9,999 citations). Nothing is stored until every page has arrived, so
a fetch that fails half way (no network, a refusal, a dropped connection, a malformed page)
leaves the store as it was.

Keys: ``S2_API_KEY`` is sent as Semantic Scholar's ``x-api-key`` header; ``OPENALEX_MAILTO``
as OpenAlex's ``mailto`` parameter (its "polite pool"). arXiv takes neither and lists no
citations: ``--source arxiv`` fetches the paper itself.
"""

from __future__ import annotations

import email.utils
import json
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from pithtui import __version__
from pithtui.errors import InputError, PithError
from pithtui.identifiers import parse_reference
from pithtui.models import Citation, Paper
from pithtui.sources import arxiv, openalex, semantic_scholar
from pithtui.sources.document import Document, without_nul
from pithtui.sources.fields import Record
from pithtui.sources.importer import FileImport, bulk, store
from pithtui.store import HubRepository

if TYPE_CHECKING:  # imported where a fetch runs: every CLI command builds its parser from here
    import httpx

S2_API = "https://api.semanticscholar.org/graph/v1"
OPENALEX_API = "https://api.openalex.org"
ARXIV_API = "https://export.arxiv.org/api/query"
S2_URL_ENV = "PITHTUI_S2_URL"
OPENALEX_URL_ENV = "PITHTUI_OPENALEX_URL"
ARXIV_URL_ENV = "PITHTUI_ARXIV_URL"
S2_KEY_ENV = "S2_API_KEY"
OPENALEX_MAILTO_ENV = "OPENALEX_MAILTO"

_PAPER = "paperId,externalIds,title,abstract,venue,year,publicationDate,authors,fieldsOfStudy,s2FieldsOfStudy,citationCount,url"
S2_HUB_FIELDS = f"{_PAPER},tldr"
S2_CITATION_FIELDS = f"contexts,intents,contextsWithIntent,isInfluential,{_PAPER}"
S2_PAGE = 1000
"""The most citations Semantic Scholar's citations endpoint gives in one page (its ``limit``)."""
S2_LISTED = 9999
"""The most citations of one paper it lists: it refuses ``offset + limit`` of 10,000 or more."""
OPENALEX_PAGE = 200
"""The most works OpenAlex gives in one page (``per-page``); its cursors have no such cap."""
S2_INTERVAL = 1.0
"""Seconds between requests to Semantic Scholar: its rate for a key is one request a second,
and requests without one share a pool among every unauthenticated user."""
OPENALEX_INTERVAL = 0.1
"""Seconds between requests to OpenAlex: ten a second, well inside its polite pool's limit."""
ARXIV_INTERVAL = 3.0
"""Seconds between requests to arXiv's API, as its terms of use ask."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

Progress = Callable[[int, int | None], None]
"""Told (citing papers fetched so far, how many there are if known) after each page."""


def _no_progress(done: int, total: int | None) -> None:
    """The default: report nothing."""


@dataclass(frozen=True)
class Retry:
    """How often and how long to wait on a 429 or 5xx answer."""

    attempts: int = 5
    first_wait: float = 1.0
    max_wait: float = 60.0

    def wait(self, response: httpx.Response, attempt: int) -> float:
        """Seconds before the next try: the service's Retry-After if it gave one, else a
        doubling wait; never more than ``max_wait``."""
        header = response.headers.get("Retry-After", "").strip()
        seconds: float | None = None
        if header.isdigit():
            seconds = float(header)
        elif header:
            try:
                when = email.utils.parsedate_to_datetime(header)
                seconds = when.timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
        if seconds is None:
            seconds = self.first_wait * 2**attempt
        return min(max(seconds, 0.0), self.max_wait)


class Pace:
    """Keeps requests to one service at least ``interval`` seconds apart (start to start)."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.next_at: float | None = None

    def wait(self, sleep: Callable[[float], None]) -> None:
        """Sleep until the next request may go, and book the one after it."""
        now = self.clock()
        if self.next_at is not None and self.next_at > now:
            sleep(self.next_at - now)
            now = self.clock()
        self.next_at = now + self.interval


@dataclass
class Api:
    """One service reached through ``client``: its name for messages, where it is, and what
    every request carries (a key header, a contact parameter)."""

    client: httpx.Client
    label: str
    base: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    retry: Retry = Retry()
    pace: Pace = field(default_factory=lambda: Pace(0.0))
    hint: str = ""
    """Added to the rate-limit message (e.g. how to get a higher limit)."""
    warnings: list[str] = field(default_factory=list)
    """What the user should know of a fetch that succeeded (one line each)."""

    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """The answer to GET ``url``, retried on 429/5xx and timeouts; a PithError if it never comes."""
        import httpx

        attempt = 0
        while True:
            last = attempt + 1 >= self.retry.attempts
            self.pace.wait(self.sleep)
            try:
                response = self.client.get(url, params={**self.params, **(params or {})}, headers=self.headers)
            except httpx.TimeoutException:
                if last:
                    raise PithError(f"{self.label} did not answer in time; nothing was stored") from None
                self.sleep(min(self.retry.first_wait * 2**attempt, self.retry.max_wait))
                attempt += 1
                continue
            except (httpx.ConnectError, httpx.ProxyError, httpx.UnsupportedProtocol) as exc:
                raise PithError(
                    f"cannot reach {self.label} at {_host(url)} ({_reason(exc)}); check the network connection. "
                    "Nothing was stored"
                ) from None
            except httpx.TransportError as exc:
                raise PithError(
                    f"the connection to {self.label} broke before the answer was complete ({_reason(exc)}); "
                    "nothing was stored, try again"
                ) from None
            except httpx.RequestError as exc:
                raise PithError(f"the request to {self.label} failed ({_reason(exc)}); nothing was stored") from None
            if response.status_code not in RETRY_STATUSES:
                return response
            if last:
                if response.status_code == 429:
                    raise PithError(
                        f"{self.label} is still rate limiting after {self.retry.attempts} tries; "
                        f"try again later{self.hint}. Nothing was stored"
                    )
                raise PithError(
                    f"{self.label} failed with HTTP {response.status_code} after {self.retry.attempts} tries "
                    f"({_message(response)}); try again later. Nothing was stored"
                )
            self.sleep(self.retry.wait(response, attempt))
            attempt += 1

    def json(self, url: str, params: dict[str, Any] | None = None, *, ref: str) -> Any:
        """The JSON answer to GET ``url``; PithError naming ``ref`` for a 404 or any failure."""
        response = self.get(url, params)
        if response.status_code == 404:
            raise PithError(f"{self.label} has no paper {ref!r} ({_message(response)})")
        if response.status_code >= 400:
            raise PithError(f"{self.label} refused the request for {ref!r} (HTTP {response.status_code}: {_message(response)})")
        try:
            return json.loads(without_nul(response.text))
        except ValueError:
            raise PithError(f"{self.label} sent something that is not JSON for {ref!r}; nothing was stored") from None


def _reason(exc: Exception) -> str:
    """An exception's first line, or its type's name when it says nothing."""
    return (str(exc).splitlines() or [""])[0] or type(exc).__name__


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _message(response: httpx.Response) -> str:
    """The service's own words about a failed request, shortened to a line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        text = str(body.get("error") or body.get("message") or "")
    else:
        text = response.text
    return " ".join(text.split())[:200] or response.reason_phrase


def base_url(env: str, default: str) -> str:
    """Where a service is: ``env``'s http(s) URL when set, else ``default``; without a trailing slash."""
    text = os.environ.get(env, "").strip()
    if not text:
        return default
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InputError(f"{env} is not an http(s) URL such as {default}: {text!r}")
    return text.rstrip("/")


def known_as(paper: Paper, ref: str) -> Paper:
    """``paper`` also carrying the identifier it was fetched by, so ``pithtui show REF`` finds
    it even when the service's answer left that identifier out."""
    parsed = parse_reference(ref)
    if parsed.column is None or getattr(paper, parsed.column) is not None:
        return paper
    identifier: dict[str, Any] = {parsed.column: parsed.value}
    return replace(paper, **identifier)


# ---------------------------------------------------------------- Semantic Scholar


def s2_paper_id(ref: str) -> str:
    """How Semantic Scholar's ``/paper/{id}`` names ``ref``. Anything pithtui does not
    recognise is passed on as it is (the service also takes PMID:…, ACL:…, URL:…)."""
    parsed = parse_reference(ref)
    if parsed.column == "arxiv_id":
        return f"arXiv:{parsed.value}"
    if parsed.column == "corpus_id":
        return f"CorpusID:{parsed.value}"
    if parsed.column == "openalex_id":
        raise InputError(f"Semantic Scholar does not know OpenAlex ids like {ref!r}; use --source openalex")
    return str(parsed.value) if parsed.column else ref.strip()


def _citing_id(item: Any) -> str | None:
    """The Semantic Scholar id of an edge's citing paper, as sent (None if it has none)."""
    citing = item.get("citingPaper") if isinstance(item, dict) else None
    found = citing.get("paperId") if isinstance(citing, dict) else None
    return found if isinstance(found, str) else None


def fetch_s2(api: Api, ref: str, limit: int | None, progress: Progress) -> list[Record]:
    """The hub and its citation edges (contexts, intents, influence), page by page: pages of
    ``S2_PAGE``, the last one cut so that ``offset + limit`` stays within ``S2_LISTED``."""
    paper_path = f"{api.base}/paper/{quote(s2_paper_id(ref), safe='/:')}"
    found = api.json(paper_path, {"fields": S2_HUB_FIELDS}, ref=ref)
    if not isinstance(found, dict):
        raise PithError(f"{api.label} sent an unexpected answer for {ref!r}")
    hub = known_as(semantic_scholar.paper(found, f"{api.label} paper {ref!r}"), ref)
    records: list[Record] = [hub]
    reported = hub.cited_by_reported
    total = None if reported is None else min(reported, S2_LISTED, reported if limit is None else limit)
    previous: set[str] = set()
    offset: int | None = 0
    while offset is not None:
        wanted = S2_PAGE if limit is None else limit - (len(records) - 1)
        if wanted <= 0:
            break
        if offset >= S2_LISTED:
            api.warnings.append(_s2_cap(ref, reported))
            break
        size = min(S2_PAGE, wanted, S2_LISTED - offset)
        params = {"fields": S2_CITATION_FIELDS, "offset": offset, "limit": size}
        page = api.json(f"{paper_path}/citations", params, ref=ref)
        where = f"{api.label} citations of {ref!r} from offset {offset}"
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            raise PithError(f"{where}: not a citations page")
        data = data[:size]
        _same_list(api, ref, offset, page, data, previous)
        records += [semantic_scholar.edge(item, f"{where}: data[{i}]", hub) for i, item in enumerate(data)]
        progress(len(records) - 1, total)
        previous = {found for item in data if (found := _citing_id(item))}
        next_offset = page.get("next")
        offset = next_offset if isinstance(next_offset, int) and data else None
    return records


def _same_list(api: Api, ref: str, offset: int, page: dict[str, Any], data: list[Any], previous: set[str]) -> None:
    """Refuse a page that shows the list moved under the paging: another offset than asked,
    no progress, or starting with a paper of the page before
    (papers were added ahead of it, so the pages overlap and some would be missed)."""
    why = ""
    answered, next_offset = page.get("offset"), page.get("next")
    if isinstance(answered, int) and answered != offset:
        why = f"asked from offset {offset}, answered from {answered}"
    elif isinstance(next_offset, int) and data and next_offset <= offset:
        why = f"the page from offset {offset} points back to {next_offset}"
    elif data and (first := _citing_id(data[0])) is not None and first in previous:
        why = f"the page from offset {offset} repeats a citing paper of the page before"
    if why:
        raise PithError(
            f"{api.label}'s list of papers citing {ref!r} changed while it was being fetched ({why}); "
            "nothing was stored, try again"
        )


def _s2_cap(ref: str, reported: int | None) -> str:
    """The one line that says Semantic Scholar lists no more, and where the rest are."""
    count = f"; the paper has {reported:,}" if reported is not None and reported > S2_LISTED else ""
    return (
        f"Semantic Scholar lists no more than {S2_LISTED:,} citing papers{count}: stored those. "
        f"For the whole list: pithtui fetch {shlex.quote(ref)} --source openalex"
    )


# ---------------------------------------------------------------- OpenAlex


def openalex_work_id(ref: str) -> str:
    """How OpenAlex's ``/works/{id}`` names ``ref``: a W id, ``doi:…`` (arXiv ids by their DOI)."""
    parsed = parse_reference(ref)
    if parsed.column == "openalex_id":
        return str(parsed.value)
    if parsed.column == "doi":
        return f"doi:{parsed.value}"
    if parsed.column == "arxiv_id":
        return f"doi:10.48550/arxiv.{parsed.value}"
    raise InputError(f"OpenAlex needs a W… id, a DOI or an arXiv id, not {ref!r}")


def fetch_openalex(api: Api, ref: str, limit: int | None, progress: Progress) -> list[Record]:
    """The hub work and the works that cite it (``filter=cites:W…``), cursor by cursor
    (``cursor=*`` first), which has no cap on how deep it goes."""
    found = api.json(f"{api.base}/works/{quote(openalex_work_id(ref), safe=':/')}", ref=ref)
    if not isinstance(found, dict):
        raise PithError(f"{api.label} sent an unexpected answer for {ref!r}")
    hub = known_as(openalex.work(found, f"{api.label} work {ref!r}"), ref)
    if hub.openalex_id is None:
        raise PithError(f"{api.label} answered for {ref!r} without a work id")
    records: list[Record] = [hub]
    cursor: str | None = "*"
    while cursor and (limit is None or len(records) - 1 < limit):
        size = OPENALEX_PAGE if limit is None else min(OPENALEX_PAGE, limit - (len(records) - 1))
        params = {"filter": f"cites:{hub.openalex_id}", "per-page": size, "cursor": cursor}
        page = api.json(f"{api.base}/works", params, ref=ref)
        where = f"{api.label} works citing {ref!r}"
        results = page.get("results") if isinstance(page, dict) else None
        meta = page.get("meta") if isinstance(page, dict) else None
        if not isinstance(results, list) or not isinstance(meta, dict):
            raise PithError(f"{where}: not a result page")
        for index, item in enumerate(results[:size]):
            if not isinstance(item, dict):
                raise InputError(f"{where}: results[{index}]: expected an object, got {type(item).__name__}")
            citing = openalex.work(item, f"{where}: results[{index}]")
            records.append(Citation(citing=citing, cited=hub, source=openalex.SOURCE))
        progress(len(records) - 1, meta.get("count") if isinstance(meta.get("count"), int) else None)
        cursor = meta.get("next_cursor") if results else None
    return records


# ---------------------------------------------------------------- arXiv


def fetch_arxiv(api: Api, ref: str, limit: int | None, progress: Progress) -> list[Record]:
    """The paper's arXiv record (title, authors, categories, abstract); arXiv lists no citations."""
    parsed = parse_reference(ref)
    if parsed.column != "arxiv_id":
        raise InputError(f"arXiv needs an arXiv id, not {ref!r}")
    response = api.get(api.base, {"id_list": parsed.value, "max_results": 1})
    records = arxiv.parse(Document(f"{api.label} answer for {ref!r}", response.text))
    if not records:
        raise PithError(f"{api.label} has no paper {ref!r}")
    return records


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Source:
    label: str
    fetch: Callable[[Api, str, int | None, Progress], list[Record]]
    configure: Callable[[Api], None]
    url_env: str
    """The variable that names another address for the service."""
    default_url: str
    interval: float
    """Seconds between two requests, to keep to the service's documented limit without a key."""

    def url(self) -> str:
        return base_url(self.url_env, self.default_url)


def _s2_key(api: Api) -> None:
    if key := os.environ.get(S2_KEY_ENV, "").strip():
        api.headers["x-api-key"] = key
    else:
        api.hint = f" (or set {S2_KEY_ENV} for a higher limit)"


def _openalex_mailto(api: Api) -> None:
    if mailto := os.environ.get(OPENALEX_MAILTO_ENV, "").strip():
        api.params["mailto"] = mailto
    else:
        api.hint = f" (or set {OPENALEX_MAILTO_ENV} to your e-mail address for the polite pool)"


def _nothing(api: Api) -> None:
    """arXiv takes no key."""


SOURCES: dict[str, Source] = {
    "s2": Source("Semantic Scholar", fetch_s2, _s2_key, S2_URL_ENV, S2_API, S2_INTERVAL),
    "openalex": Source("OpenAlex", fetch_openalex, _openalex_mailto, OPENALEX_URL_ENV, OPENALEX_API, OPENALEX_INTERVAL),
    "arxiv": Source("arXiv", fetch_arxiv, _nothing, ARXIV_URL_ENV, ARXIV_API, ARXIV_INTERVAL),
}
"""The services ``pithtui fetch`` reads from (the one list of them)."""


def new_client() -> httpx.Client:
    """The client ``fetch`` uses when none is handed in."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(30.0), headers={"User-Agent": f"pithtui/{__version__}"}, follow_redirects=True)


@dataclass(frozen=True)
class Fetched(FileImport):
    """What a fetch stored, and what the user should know of it beyond the counts."""

    warnings: tuple[str, ...] = ()


def fetch(
    repo: HubRepository,
    ref: str,
    source: str = "s2",
    *,
    limit: int | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    interval: float | None = None,
    retry: Retry = Retry(),
    progress: Progress = _no_progress,
) -> Fetched:
    """Fetch ``ref`` and its citing papers from ``source`` and store them in one upsert.
    ``interval`` (seconds between requests) defaults to the source's own."""
    if source not in SOURCES:
        raise InputError(f"unknown source {source!r} (choose from {', '.join(SOURCES)})")
    chosen = SOURCES[source]
    base = chosen.url()
    pace = Pace(chosen.interval if interval is None else interval, clock)
    own = client is None
    api = Api(client or new_client(), chosen.label, base, sleep=sleep, retry=retry, pace=pace)
    chosen.configure(api)
    try:
        records = chosen.fetch(api, ref, limit, progress)
    finally:
        if own:
            api.client.close()
    name = f"{chosen.label} {ref}"
    with bulk():
        return Fetched(name, source, store(repo, name, records), tuple(api.warnings))
