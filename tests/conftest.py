"""Shared fixtures: stores on every backend, a throwaway PostgreSQL server, and running the CLI.

``repo`` is parametrized over ``sqlite`` and ``postgresql``, so every repository test runs on
both. The PostgreSQL server is started once per pytest process (each xdist worker has its own
server on its own port) from the machine's binaries, and each test gets a database of its own.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from pithtui.store import HubRepository, open_repository
from pithtui.store.schema import Base

BACKENDS = ("sqlite", "postgresql")

# Property tests explore new inputs on every run in development (and remember what failed in
# .hypothesis/), but CI runs the same examples every time with no example database: a CI run
# must not fail on an input nobody has seen. Every falsifying input found is kept as an
# explicit @example beside its test. HYPOTHESIS_PROFILE picks either one by hand.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


# --------------------------------------------------------------------------- PostgreSQL server


def find_pg_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: from PATH, else the newest Debian install."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += [
        Path(p)
        for p in sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
            reverse=True,
        )
    ]
    for bindir in candidates:
        if (bindir / "pg_ctl").exists() and (bindir / "initdb").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary directory, reached over 127.0.0.1.

    PostgreSQL refuses to run as root, so when the tests run as root (CI does) the cluster
    belongs to the ``postgres`` user and initdb/pg_ctl run through ``runuser``.
    """

    USER = "postgres"

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        # As root the cluster belongs to ``postgres``, who must be able to reach it: /tmp, not a
        # TMPDIR that may lie under root's home.
        self.base = Path(tempfile.mkdtemp(prefix="pithtui-pg-", dir="/tmp" if self.as_root else None))
        self.data = self.base / "data"
        self.sockets = self.base / "sockets"
        self.log = self.base / "server.log"
        self.port = 0
        self._names = itertools.count()
        self._admin = None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", self.USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.base)

    def _ensure_user(self) -> None:
        try:
            pwd.getpwnam(self.USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", self.USER], check=True)
        shutil.chown(self.base, user=self.USER)

    def start(self) -> None:
        self.sockets.mkdir()
        if self.as_root:
            self._ensure_user()
            shutil.chown(self.sockets, user=self.USER)
        common = ["initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
        # A linguistic (ICU) default collation, as most real servers have, so that any ordering
        # that depends on the database's collation shows up as a difference from SQLite.
        done = self._run(*common, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US")
        if done.returncode != 0:
            done = self._run(*common, "--locale=C.UTF-8")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        settings = (
            "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB"
        )
        for _attempt in range(5):  # another process may take the port between probe and start
            self.port = _free_port()
            options = f"-p {self.port} -k {self.sockets} {settings}"
            done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")
            if done.returncode == 0:
                return
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin_engine(self):
        if self._admin is None:
            from sqlalchemy import create_engine

            self._admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        return self._admin

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy import text

        name = f"pithtui_{os.getpid()}_{next(self._names)}"
        with self._admin_engine().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        from sqlalchemy import text

        name = url.rsplit("/", 1)[1]
        with self._admin_engine().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server per pytest process, started on first use."""
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- stores


def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on ``backend`` for one test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty store on the test's backend."""
    yield from database_url(backend, request, tmp_path)


@pytest.fixture
def repo(db_url: str) -> Iterator[HubRepository]:
    """A repository on a fresh store, on SQLite and on PostgreSQL."""
    repository = open_repository(db_url)
    try:
        yield repository
    finally:
        repository.close()


def wipe(repo: HubRepository) -> None:
    """Empty every table but ``meta`` (for property tests that rebuild the store per example)."""
    with repo.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "meta":
                conn.execute(table.delete())


@pytest.fixture
def fresh_repo(repo: HubRepository) -> Callable[[], HubRepository]:
    """Call to get the test's repository emptied (once per hypothesis example)."""

    def fresh() -> HubRepository:
        wipe(repo)
        return repo

    return fresh


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose default store is under ``tmp_path``, never the user's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("PITHTUI_DB", "PITHTUI_CONFIG")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["HOME"] = str(tmp_path / "home")
    env["COLUMNS"] = "100"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str], tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``pithtui ARGS`` as a subprocess (``python -m pithtui``) in the test's environment."""

    def run(*args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "pithtui", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env or cli_env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    return run


# --------------------------------------------------------------------------- import and fetch

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
"""Recorded responses from the public services, beside the repository (never copied into it)."""


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``, or a skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"recorded responses not found: {SHARED_DATA} (shared data absent)")
    return SHARED_DATA


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubRepository]:
    """An empty SQLite store of the test's own (the import tests need no other backend)."""
    repo = open_repository(f"sqlite:///{tmp_path / 'store.db'}")
    yield repo
    repo.close()
