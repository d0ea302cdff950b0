"""Helpers for the import and fetch tests: VCR cassettes (the recorded sessions in
``../shared/data``, located by the ``shared_data`` fixture in conftest.py) replayed through
``httpx.MockTransport``, and running the CLI as a subprocess with standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import yaml

# ---------------------------------------------------------------- records

BIBTEX = r"""
% a comment before the entries
@misc{shumailov2023curse,
  title = {The {Curse} of Recursion: Training on Generated Data Makes Models Forget},
  author = {Shumailov, Ilia and Zakhar Shumaylov},
  year = {2023}, month = may,
  eprint = {2305.17493}, archivePrefix = {arXiv}, primaryClass = {cs.LG},
}
@article{muller2020,
  title = "Stra{\ss}e und M{\"u}ller",
  author = {J. M{\"u}ller},
  journal = {Journal of Tests},
  year = 2020,
  doi = {10.1000/ABC.1},
}
"""
"""Two BibTeX entries (an arXiv preprint, a journal article with a DOI) with the LaTeX accents
and braces the importer must decode, after a comment it must skip."""


# ---------------------------------------------------------------- cassettes


def cassette(path: Path) -> list[dict[str, Any]]:
    """The interactions of a VCR cassette as {method, url, status, body}, whichever of the
    two recording styles it uses (``body.string`` + ``status.code``, or ``content`` +
    ``status_code``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        response = item["response"]
        body = response["content"] if "content" in response else response["body"]["string"]
        status = response["status_code"] if "status_code" in response else response["status"]["code"]
        out.append({"method": item["request"]["method"], "url": item["request"]["uri"], "status": status, "body": body})
    return out


def bodies(path: Path) -> list[Any]:
    """The JSON bodies of a cassette's answers, in order."""
    return [json.loads(i["body"]) for i in cassette(path)]


def _key(url: str | httpx.URL, ignore: frozenset[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(str(url))
    params = tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k not in ignore))
    return parts.path.lower(), params


class Replay:
    """A MockTransport handler answering from recorded interactions (and extra answers a test
    adds for requests nobody recorded), matched on path and query less ``ignore``d parameters.
    Unmatched requests fail the test."""

    def __init__(self, interactions: list[dict[str, Any]], ignore: frozenset[str] = frozenset()) -> None:
        self.ignore = ignore
        self.answers: dict[Any, tuple[int, str]] = {}
        self.requests: list[httpx.Request] = []
        for item in interactions:
            self.add(item["url"], item["status"], item["body"])

    def add(self, url: str, status: int, body: Any) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.answers[_key(url, self.ignore)] = (status, text)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = _key(request.url, self.ignore)
        if key not in self.answers:
            raise AssertionError(f"unrecorded request: {request.url}")
        status, text = self.answers[key]
        return httpx.Response(status, text=text, headers={"Content-Type": "application/json"})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


# ---------------------------------------------------------------- the CLI


def run_pithtui(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``pithtui ARGS`` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "pithtui", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
