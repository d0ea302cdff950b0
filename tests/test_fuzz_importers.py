"""Every importer, fed random and mutated input: a file either imports or is refused with the
one-line error pithtui reports (a PithError), never another exception, and a refused file
leaves the store exactly as it was. After a file that imports, the store still agrees with
itself (stored counts, facet cells, role sets and the full-text index match the citations).

Inputs: random bytes; random JSON built from the field names the parsers look for; real
records (built in here, and the recorded service answers in ../shared/data when present)
mutated structurally (a value replaced, a key dropped) and byte by byte (cut, spliced,
overwritten). Each is tried with ``--format auto`` and with a forced format, with and without
``--hub``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sources_support import BIBTEX, cassette
from sqlalchemy import func, select, text
from workload import s2_hub_document

from pithtui.errors import PithError
from pithtui.models import Paper
from pithtui.sources import formats
from pithtui.sources.document import load
from pithtui.sources.importer import import_document
from pithtui.sources.sample import load_sample_hub
from pithtui.store import HubRepository, open_repository
from pithtui.store.schema import Base, citations, facet_cells, papers, role_sets

FORMAT_NAMES = [formats.AUTO, *formats.FORMATS]
FORMAT_CHOICES = st.sampled_from([formats.AUTO] * len(formats.FORMATS) + list(formats.FORMATS))
"""``auto`` half the time: a forced format is mostly the wrong one for a mutated file."""
HUBS = [None, Paper(title="", arxiv_id="2305.17493"), Paper(title="", openalex_id="W99")]
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- real records

ATOM_FEED = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/x</id><title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/2305.17493v2</id>
    <published>2023-05-27T15:10:41Z</published><updated>2024-04-14T12:00:00Z</updated>
    <title>The Curse of Recursion: Training on Generated Data
      Makes Models Forget</title>
    <summary>Stable Diffusion revolutionised image creation.</summary>
    <author><name>Ilia Shumailov</name></author><author><name>Zakhar Shumaylov</name></author>
    <arxiv:doi>10.48550/arXiv.2305.17493</arxiv:doi>
    <arxiv:journal_ref>Nature 631 (2024)</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/2305.17493v2" rel="alternate" type="text/html"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""

OPENALEX_WORK = {
    "id": "https://openalex.org/W4378771755",
    "doi": "https://doi.org/10.48550/arxiv.2305.17493",
    "title": "The Curse of Recursion",
    "publication_date": "2023-05-27",
    "publication_year": 2023,
    "authorships": [{"author": {"display_name": "Ilia Shumailov"}}],
    "primary_location": {"landing_page_url": "https://arxiv.org/abs/2305.17493", "source": {"display_name": "arXiv"}},
    "locations": [{"landing_page_url": "https://arxiv.org/abs/2305.17493"}],
    "primary_topic": {"display_name": "Topic Modeling"},
    "cited_by_count": 120,
    "abstract_inverted_index": {"Stable": [0], "Diffusion": [1], "revolutionised": [2]},
}

PITH_RECORD = {
    "paper": {
        "title": "When Does Model Collapse Occur?",
        "primary_cat": "cs.LG",
        "cross_cats": ["stat.ML"],
        "authors_text": "Ada Lovelace, Alan Turing and Grace Hopper",
        "submitted_at": "2026-05-19T12:00:00Z",
        "abstract_excerpt": "We study collapse.",
    },
    "source": {"kind": "arxiv", "id": "2605.01234"},
    "verdict": {"one_line_summary": "Collapse happens when the graph has a cycle."},
}


def builtin_seeds() -> list[str]:
    """One real record or more of every format, as file text."""
    s2 = s2_hub_document(3)
    page = {"offset": 0, "next": 2, "data": [{k: v for k, v in e.items()} for e in s2["citations"][:2]]}
    return [
        resources.files("pithtui.data").joinpath("sample_hub.json").read_text(encoding="utf-8"),
        json.dumps(s2),
        json.dumps(page),
        "\n".join(json.dumps(edge) for edge in s2["citations"]),
        json.dumps(OPENALEX_WORK),
        json.dumps({"meta": {"count": 1}, "results": [OPENALEX_WORK, {**OPENALEX_WORK, "id": "https://openalex.org/W1"}]}),
        ATOM_FEED,
        json.dumps({"url": "https://export.arxiv.org/api/query?id_list=2305.17493", "status_code": 200, "body": ATOM_FEED}),
        json.dumps(PITH_RECORD),
        json.dumps([PITH_RECORD, {**PITH_RECORD, "source": {"kind": "doi", "id": "10.1000/xyz"}}]),
        BIBTEX,
    ]


SEEDS = builtin_seeds()
JSON_SEEDS = [json.loads(seed) for seed in SEEDS if seed.lstrip()[:1] in "[{" and "\n{" not in seed]

KEYS = sorted(
    {key for seed in JSON_SEEDS for key in _keys(seed)}
    if (_keys := lambda value: (
        [k for k, v in value.items() for k in (k, *_keys(v))] if isinstance(value, dict)
        else [k for item in value for k in _keys(item)] if isinstance(value, list) else []
    ))
    else ()
)  # fmt: skip


def recorded_seeds(folder: Path) -> list[str]:
    """The recorded answers in ../shared/data as file text (a cassette gives its bodies)."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".json":
            out.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".yaml":
            out.extend(item["body"] for item in cassette(path) if isinstance(item["body"], str))
    return out


# --------------------------------------------------------------------------- strategies

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "2023-05-27", "2023", "2305.17493", "10.1000/x", "W123", "cs.LG", "\x1b[31m", "null", "[b]x[/b]"]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=25,
)


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(value: Any, path: tuple, new: Any, *, drop: bool) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if drop and not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _replace(value[head], rest, new, drop=drop)}
    items = list(value)
    if drop and not rest:
        del items[head]
    else:
        items[head] = _replace(items[head], rest, new, drop=drop)
    return items


def _get(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _like(old: Any) -> st.SearchStrategy[Any]:
    """Another value of the same kind: what a record a little off its schema would hold."""
    if isinstance(old, bool):
        return st.booleans()
    if isinstance(old, (int, float)):
        return (
            st.integers(-(2**64), 2**64) | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0, -1, 2**31, 2**63])
        )
    if isinstance(old, str):
        return st.text(max_size=40) | st.sampled_from(
            ["", " ", old.upper(), old * 3, old[: len(old) // 2], HOSTILE, "x" * 10_000]
        )
    return json_values


HOSTILE = "[bold red]x[/]\x1b[2J\x1b]0;t\x07\u202eevil\u2066 ' OR 1=1; -- \x00"


@st.composite
def mutated_json(draw: st.DrawFn, seeds: list[Any]) -> bytes:
    value = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(value))))
        kind = draw(st.sampled_from(["like", "like", "like", "any", "drop", "twice"]))
        if kind == "drop" and path:
            value = _replace(value, path, None, drop=True)
        elif kind == "twice" and isinstance(_get(value, path), list) and _get(value, path):
            items = _get(value, path)
            value = _replace(value, path, [*items, items[draw(st.integers(0, len(items) - 1))]], drop=False)
        else:
            old = _get(value, path)
            value = _replace(value, path, draw(_like(old) if kind == "like" else json_values), drop=False)
    return json.dumps(value, allow_nan=True).encode()


@st.composite
def mutated_bytes(draw: st.DrawFn, seeds: list[str]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)).encode())
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["cut", "truncate", "insert", "overwrite", "duplicate"]))
        if action == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif action == "truncate":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=16) | st.sampled_from([b"{", b"}", b'"', b",", b"<", b"@", b"\\u0000"])
            )
        elif action == "overwrite":
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


# --------------------------------------------------------------------------- the check


def fingerprint(repo: HubRepository) -> list[Any]:
    """Every row of every table, the full-text index's too."""
    with repo.engine.connect() as conn:
        rows = [sorted(map(repr, conn.execute(select(table)).all())) for table in Base.metadata.sorted_tables]
        rows.append(sorted(map(repr, conn.execute(text("SELECT * FROM papers_fts_data")).all())))
    return rows


def assert_consistent(repo: HubRepository) -> None:
    """What the repository keeps beside the citations agrees with them."""
    with repo.engine.connect() as conn:
        per_hub = dict(conn.execute(select(citations.c.cited_id, func.count()).group_by(citations.c.cited_id)).all())
        stored = dict(conn.execute(select(papers.c.id, papers.c.citing_count).where(papers.c.citing_count != 0)).all())
        cells = dict(conn.execute(select(facet_cells.c.hub_id, func.sum(facet_cells.c.n)).group_by(facet_cells.c.hub_id)).all())
        assert stored == per_hub
        assert {hub: int(n) for hub, n in cells.items() if n} == per_hub
        keys = set(conn.execute(select(citations.c.roles_key).distinct()).scalars()) - {""}
        assert keys <= set(conn.execute(select(role_sets.c.roles_key).distinct()).scalars())
        assert conn.execute(select(func.count()).where(citations.c.cited_id == citations.c.citing_id)).scalar() == 0
        conn.execute(text("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')"))


def attempt(repo: HubRepository, data: bytes, fmt: str, hub: Paper | None) -> None:
    before = fingerprint(repo)
    try:
        import_document(repo, load(data, "fuzzed.input"), fmt, hub)
    except PithError as exc:
        message = str(exc)
        assert message.startswith("fuzzed.input") or fmt not in FORMAT_NAMES, message
        assert "\n" not in message and not UNSAFE.search(message), repr(message)
        assert fingerprint(repo) == before, message
    else:
        assert_consistent(repo)
        repo.list_papers(limit=None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubRepository]:
    """A SQLite store holding the sample hub, kept across the examples of one test."""
    repo = open_repository(f"sqlite:///{tmp_path / 'fuzz.db'}")
    repo.upsert(load_sample_hub())
    yield repo
    repo.close()


# --------------------------------------------------------------------------- the fuzz


@FUZZ
@given(data=st.binary(max_size=400), fmt=FORMAT_CHOICES, hub=st.sampled_from(HUBS))
def test_random_bytes(store: HubRepository, data: bytes, fmt: str, hub: Paper | None) -> None:
    attempt(store, data, fmt, hub)


@FUZZ
@given(value=json_values, fmt=FORMAT_CHOICES, hub=st.sampled_from(HUBS), lines=st.booleans())
def test_random_json(store: HubRepository, value: Any, fmt: str, hub: Paper | None, lines: bool) -> None:
    if lines and isinstance(value, list):  # as JSON Lines
        data = "\n".join(json.dumps(item, allow_nan=True) for item in value).encode() or b"{}"
    else:
        data = json.dumps(value, allow_nan=True).encode()
    attempt(store, data, fmt, hub)


@settings(FUZZ, max_examples=250)
@given(data=mutated_json(JSON_SEEDS), fmt=FORMAT_CHOICES, hub=st.sampled_from(HUBS))
@example(  # a year beyond the calendar's range
    data=json.dumps({**PITH_RECORD, "paper": {**PITH_RECORD["paper"], "submitted_at": 2147483648}}).encode(),
    fmt=formats.AUTO,
    hub=None,
)
def test_real_records_mutated_field_by_field(store: HubRepository, data: bytes, fmt: str, hub: Paper | None) -> None:
    attempt(store, data, fmt, hub)


@settings(FUZZ, max_examples=250)
@given(data=mutated_bytes(SEEDS), fmt=FORMAT_CHOICES, hub=st.sampled_from(HUBS))
def test_real_records_mutated_byte_by_byte(store: HubRepository, data: bytes, fmt: str, hub: Paper | None) -> None:
    attempt(store, data, fmt, hub)


def test_recorded_answers_mutated(store: HubRepository, shared_data: Path) -> None:
    seeds = recorded_seeds(shared_data)
    json_seeds = []
    for seed in seeds:
        try:
            json_seeds.append(json.loads(seed))
        except json.JSONDecodeError:
            pass

    @settings(FUZZ, max_examples=150)
    @given(
        data=st.one_of(mutated_json(json_seeds), mutated_bytes(seeds)),
        fmt=FORMAT_CHOICES,
        hub=st.sampled_from(HUBS),
    )
    def run(data: bytes, fmt: str, hub: Paper | None) -> None:
        attempt(store, data, fmt, hub)

    run()


def test_every_seed_imports_as_it_is(store: HubRepository) -> None:
    """The unmutated records are good input, so the mutations start from files that import."""
    for seed in SEEDS:
        import_document(store, load(seed.encode(), "seed"), formats.AUTO, HUBS[1])
        assert_consistent(store)


# --------------------------------------------------------------------------- nested and surrogate-laden JSON

surrogates = st.text(st.characters(categories=["Cs"]) | st.sampled_from("ab é"), min_size=1, max_size=8)
"""Text holding lone UTF-16 surrogates, which JSON can carry (``\\ud800``) and no store can encode."""
with_surrogates = st.recursive(
    surrogates | scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | surrogates, children, max_size=5),
    max_leaves=25,
)


@FUZZ
@given(
    depth=st.integers(1, 1500),
    opener=st.sampled_from(["[", '{"citations":', '{"paper":', '{"data":[']),
    fmt=FORMAT_CHOICES,
    hub=st.sampled_from(HUBS),
    lines=st.booleans(),
)
def test_deeply_nested_json(store: HubRepository, depth: int, opener: str, fmt: str, hub: Paper | None, lines: bool) -> None:
    closer = {"[": "]", '{"citations":': "}", '{"paper":': "}", '{"data":[': "]}"}[opener]
    text = opener * depth + "1" + closer * depth
    attempt(store, (f'{{"paperId": "x", "title": "T"}}\n{text}' if lines else text).encode(), fmt, hub)


@FUZZ
@given(value=with_surrogates, fmt=FORMAT_CHOICES, hub=st.sampled_from(HUBS))
def test_json_with_lone_surrogates(store: HubRepository, value: Any, fmt: str, hub: Paper | None) -> None:
    attempt(store, json.dumps(value).encode(), fmt, hub)


@settings(FUZZ, max_examples=100)
@given(data=mutated_json(JSON_SEEDS), surrogate=surrogates, fmt=FORMAT_CHOICES, hub=st.sampled_from(HUBS))
def test_real_records_with_a_surrogate_in_every_string(
    store: HubRepository, data: bytes, surrogate: str, fmt: str, hub: Paper | None
) -> None:
    try:
        value = json.loads(data)
    except ValueError:
        return
    laden = json.dumps(value).replace('": "', f'": "{json.dumps(surrogate)[1:-1]}')
    attempt(store, laden.encode(), fmt, hub)
