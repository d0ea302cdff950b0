"""``pithtui fetch``: a hub and its citing papers from the live services, stored in one upsert.

Every request goes through one ``httpx.Client``: handed in (tests give one on an
``httpx.MockTransport``, so no test touches the network) or made for the fetch. Pages are
followed to the end or to ``limit``; a 429 or a 5xx answer is retried after the service's
``Retry-After`` or a doubling wait, both capped, a bounded number of times; the sleep is
injectable. Nothing is stored until every page has arrived, so a fetch that fails half way
(no network, a refusal, a malformed page) leaves the store as it was.

Keys: ``S2_API_KEY`` is sent as Semantic Scholar's ``x-api-key`` header; ``OPENALEX_MAILTO``
as OpenAlex's ``mailto`` parameter (its "polite pool"). arXiv takes neither and lists no
citations: ``--source arxiv`` fetches the paper itself.
"""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

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
S2_KEY_ENV = "S2_API_KEY"
OPENALEX_MAILTO_ENV = "OPENALEX_MAILTO"

_PAPER = "paperId,externalIds,title,abstract,venue,year,publicationDate,authors,fieldsOfStudy,s2FieldsOfStudy,citationCount,url"
S2_HUB_FIELDS = f"{_PAPER},tldr"
S2_CITATION_FIELDS = f"contexts,intents,contextsWithIntent,isInfluential,{_PAPER}"
S2_PAGE = 100
OPENALEX_PAGE = 200
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


@dataclass
class Api:
    """One service reached through ``client``: its name for messages, and what every request
    carries (a key header, a contact parameter)."""

    client: httpx.Client
    label: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    retry: Retry = Retry()
    hint: str = ""
    """Added to the rate-limit message (e.g. how to get a higher limit)."""

    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """The answer to GET ``url``, retried on 429/5xx; a PithError if it never comes."""
        import httpx

        attempt = 0
        while True:
            last = attempt + 1 >= self.retry.attempts
            try:
                response = self.client.get(url, params={**self.params, **(params or {})}, headers=self.headers)
            except httpx.TimeoutException:
                if last:
                    raise PithError(f"{self.label} did not answer in time; nothing was stored") from None
                self.sleep(min(self.retry.first_wait * 2**attempt, self.retry.max_wait))
                attempt += 1
                continue
            except httpx.TransportError as exc:
                reason = (str(exc).splitlines() or [""])[0] or type(exc).__name__
                raise PithError(
                    f"cannot reach {self.label} ({reason}); check the network connection. Nothing was stored"
                ) from None
            if response.status_code not in RETRY_STATUSES:
                return response
            if last:
                if response.status_code == 429:
                    raise PithError(
                        f"{self.label} is still rate limiting after {self.retry.attempts} tries; "
                        f"try again later{self.hint}. Nothing was stored"
                    )
                return response
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
            raise PithError(f"{self.label} sent something that is not JSON for {ref!r}") from None


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


def fetch_s2(api: Api, ref: str, limit: int | None, progress: Progress) -> list[Record]:
    """The hub and its citation edges (contexts, intents, influence), page by page."""
    paper_path = f"{S2_API}/paper/{quote(s2_paper_id(ref), safe='/:')}"
    found = api.json(paper_path, {"fields": S2_HUB_FIELDS}, ref=ref)
    if not isinstance(found, dict):
        raise PithError(f"{api.label} sent an unexpected answer for {ref!r}")
    hub = known_as(semantic_scholar.paper(found, f"{api.label} paper {ref!r}"), ref)
    records: list[Record] = [hub]
    offset: int | None = 0
    while offset is not None and (limit is None or len(records) - 1 < limit):
        size = S2_PAGE if limit is None else min(S2_PAGE, limit - (len(records) - 1))
        params = {"fields": S2_CITATION_FIELDS, "offset": offset, "limit": size}
        page = api.json(f"{paper_path}/citations", params, ref=ref)
        where = f"{api.label} citations of {ref!r} from offset {offset}"
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            raise PithError(f"{where}: not a citations page")
        records += [semantic_scholar.edge(item, f"{where}: data[{i}]", hub) for i, item in enumerate(data[:size])]
        progress(len(records) - 1, hub.cited_by_reported)
        next_offset = page.get("next")
        offset = next_offset if isinstance(next_offset, int) and data else None
    return records


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
    """The hub work and the works that cite it (``filter=cites:W…``), cursor by cursor."""
    found = api.json(f"{OPENALEX_API}/works/{quote(openalex_work_id(ref), safe=':/')}", ref=ref)
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
        page = api.json(f"{OPENALEX_API}/works", params, ref=ref)
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
    response = api.get(ARXIV_API, {"id_list": parsed.value, "max_results": 1})
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
    "s2": Source("Semantic Scholar", fetch_s2, _s2_key),
    "openalex": Source("OpenAlex", fetch_openalex, _openalex_mailto),
    "arxiv": Source("arXiv", fetch_arxiv, _nothing),
}
"""The services ``pithtui fetch`` reads from (the one list of them)."""


def new_client() -> httpx.Client:
    """The client ``fetch`` uses when none is handed in."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(30.0), headers={"User-Agent": f"pithtui/{__version__}"}, follow_redirects=True)


def fetch(
    repo: HubRepository,
    ref: str,
    source: str = "s2",
    *,
    limit: int | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    retry: Retry = Retry(),
    progress: Progress = _no_progress,
) -> FileImport:
    """Fetch ``ref`` and its citing papers from ``source`` and store them in one upsert."""
    if source not in SOURCES:
        raise InputError(f"unknown source {source!r} (choose from {', '.join(SOURCES)})")
    chosen = SOURCES[source]
    own = client is None
    api = Api(client or new_client(), chosen.label, sleep=sleep, retry=retry)
    chosen.configure(api)
    try:
        records = chosen.fetch(api, ref, limit, progress)
    finally:
        if own:
            api.client.close()
    name = f"{chosen.label} {ref}"
    with bulk():
        return FileImport(name, source, store(repo, name, records))
