"""The ``pithtui`` command: the TUI by default, quick lookups without it.

``pithtui [REF]`` opens the terminal app; ``pithtui show|papers|db …`` answer from the store
and exit (``show --fetch`` asks a service first for a paper the store lacks). Every expected
failure is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from pithtui import __version__, cli_mine
from pithtui.errors import InputError, PithError

if TYPE_CHECKING:  # imported where used, so that each command loads only what it needs
    from pithtui.models import Filters, Paper, SortKey
    from pithtui.sources.fetch import Fetched
    from pithtui.sources.importer import FileImport
    from pithtui.store import HubRepository

SUBCOMMANDS = ("show", "papers", "db", "import", "fetch", "classify", "mark", "mine")
TEXT_LIMIT = 25
"""Rows ``show`` lists in its text form unless --limit says otherwise."""
PAPERS_FIXED = 7 + 2 + 24 + 2
"""The columns of ``pithtui papers`` before the title: the citing count, then the reference."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit status 1."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: error: {message}\n")


def _date(text: str, *, end: bool = False) -> dt.date:
    """YYYY, YYYY-MM or YYYY-MM-DD; a partial date means its first (or, for ``end``, last) day."""
    from pithtui.dates import parse_bound

    try:
        bound = parse_bound(text, end=end)
    except ValueError:
        bound = None
    if bound is None:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return bound


def _until(text: str) -> dt.date:
    return _date(text, end=True)


def _moment(text: str) -> dt.datetime:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][zone] → naive UTC, as the store keeps times; a time
    without a zone is local time."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or time: {text!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _novelty(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"novelty runs from 0 to 10, not {text}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _sort_key(text: str) -> SortKey:
    from pithtui.models import SortKey

    try:
        return SortKey.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy URL or SQLite path of the store (default: $PITHTUI_DB, else the embedded store)",
    )


def _add_source(parser: argparse.ArgumentParser, help: str) -> None:
    from pithtui.sources.fetch import SOURCES

    parser.add_argument("--source", choices=tuple(SOURCES), default="s2", help=help)


def build_parser() -> argparse.ArgumentParser:
    from pithtui.export import WRITERS
    from pithtui.models import SortKey

    parser = _Parser(
        prog="pithtui",
        usage="pithtui [REF] [--db URL] [--ansi]\n       pithtui COMMAND [--db URL] ...",
        description="Who cites this paper, and how? With no COMMAND, opens the citation hub of REF in the "
        "terminal (default: the last hub opened, else the sample hub; --ansi keeps to the terminal's 16 "
        "colours). The commands are quick lookups, imports and fetches.",
        epilog="pithtui COMMAND --help lists a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"pithtui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, prog="pithtui")

    show = commands.add_parser("show", help="print a paper's citation hub")
    show.add_argument("ref", metavar="REF", help="arXiv id, DOI, Semantic Scholar id, CorpusId:N or title words")
    _add_db(show)
    show.add_argument("--role", action="append", default=[], metavar="R", help="only citations with this role (repeatable)")
    show.add_argument(
        "--polarity", action="append", default=[], metavar="P", help="only this polarity; 'unclassified' for none yet"
    )
    show.add_argument("--verdict", action="append", default=[], metavar="V", help="only this verdict (repeatable)")
    show.add_argument("--category", action="append", default=[], metavar="C", help="only this category (repeatable)")
    show.add_argument("--since", type=_date, metavar="DATE", help="citing papers from this date on")
    show.add_argument("--until", type=_until, metavar="DATE", help="citing papers up to this date")
    show.add_argument("--min-novelty", type=_novelty, metavar="X", help="novelty at least X (0-10)")
    show.add_argument("--search", default="", metavar="TEXT", help="words in the title or summary")
    show.add_argument(
        "--new-since", type=_moment, metavar="DATE",
        help="only citations first stored after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time unless a zone is given)",
    )  # fmt: skip
    cli_mine.add_show_filters(show)
    show.add_argument(
        "--sort", type=_sort_key, metavar="KEY",
        help="sort by " + ", ".join(k.value for k in SortKey) + " (default: the settings' sort, else date)",
    )  # fmt: skip
    order = show.add_mutually_exclusive_group()
    order.add_argument("--desc", dest="descending", action="store_const", const=True, help="descending (default)")
    order.add_argument("--asc", dest="descending", action="store_const", const=False, help="ascending")
    show.add_argument("--limit", type=_positive, metavar="N", help=f"list at most N citing papers (text: {TEXT_LIMIT})")
    show.add_argument("--format", choices=("text", *WRITERS), default="text")
    show.add_argument(
        "--raw-csv", action="store_true",
        help="CSV cells as stored, even those a spreadsheet would run as formulas (by default they get a leading ')",
    )  # fmt: skip
    show.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    show.add_argument(
        "--fetch", action="store_true",
        help="when the paper is not in the store, fetch it and its citing papers first (REF an identifier)",
    )  # fmt: skip
    _add_source(show, "with --fetch, the service to ask (default s2)")

    papers = commands.add_parser("papers", help="list the papers in the store")
    _add_db(papers)
    papers.add_argument("--search", default="", metavar="TEXT", help="title words or an identifier")
    papers.add_argument("--format", choices=("text", "json"), default="text")

    db = commands.add_parser("db", help="where the store is and what it holds")
    _add_db(db)
    db.add_argument(
        "action",
        nargs="?",
        choices=("path", "info", "init"),
        default="info",
        help="path: where the store is; info (default): that and what it holds; init: make a new store there",
    )
    db.add_argument("where", nargs="?", metavar="PATH", help="for init: the store to make (a path or URL; default --db)")

    from pithtui.sources.formats import AUTO, FORMATS

    importer = commands.add_parser("import", help="store papers and citations from files (- for standard input)")
    importer.add_argument("paths", nargs="+", metavar="PATH", help="a file to import, or - for standard input")
    _add_db(importer)
    importer.add_argument(
        "--format", choices=(AUTO, *FORMATS), default=AUTO,
        help="the files' format (default: told from the content)",
    )  # fmt: skip
    importer.add_argument(
        "--hub", metavar="REF",
        help="the paper records belong to when a file does not say: the cited paper of a citations page, the "
        "citing paper of a references page; plain paper lists become its citing papers",
    )  # fmt: skip

    fetch = commands.add_parser("fetch", help="fetch a paper and its citing papers from an online service")
    fetch.add_argument("ref", metavar="REF", help="arXiv id, DOI, CorpusId:N, Semantic Scholar or OpenAlex id")
    _add_db(fetch)
    _add_source(fetch, "the service to ask (default s2)")
    fetch.add_argument("--limit", type=_positive, metavar="N", help="fetch at most N citing papers")

    classify = commands.add_parser(
        "classify", help="label the stored citing sentences with roles and polarity (pithtui's own model, offline)"
    )
    classify.add_argument("ref", nargs="?", metavar="REF", help="the hub whose citations to label")
    _add_db(classify)
    classify.add_argument("--all", action="store_true", help="the citations of every hub")
    classify.add_argument("--force", action="store_true", help="label again what this model has labelled already")

    cli_mine.add_commands(commands, _add_db)
    return parser


def _tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pithtui",
        description="Open a paper's citation hub in the terminal. Subcommands: "
        + ", ".join(SUBCOMMANDS)
        + " (pithtui COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"pithtui {__version__}")
    parser.add_argument("ref", nargs="?", metavar="REF", help="the paper to open (default: the last hub opened)")
    _add_db(parser)
    parser.add_argument("--ansi", action="store_true", help="16-colour theme using the terminal's own palette")
    return parser


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` written whole or not at all (see export.whole_file)."""
    if path is None:
        yield sys.stdout
        return
    from pithtui.export import whole_file

    with whole_file(Path(path)) as out:
        yield out


def _filters(args: argparse.Namespace) -> Filters:
    from pithtui.hub_text import UNCLASSIFIED_LABEL
    from pithtui.models import Filters

    if args.since and args.until and args.since > args.until:
        raise InputError(f"--since {args.since} is after --until {args.until}")
    return Filters(
        roles=frozenset(args.role),
        polarities=frozenset(None if p.lower() == UNCLASSIFIED_LABEL else p for p in args.polarity),
        verdicts=frozenset(v.upper() for v in args.verdict),
        categories=frozenset(args.category),
        since=args.since,
        until=args.until,
        min_novelty=args.min_novelty,
        search=args.search,
        new_since=args.new_since,
        **cli_mine.show_filters(args),
    )


def _open(args: argparse.Namespace, *, create: bool = False) -> HubRepository:
    from pithtui.sources.sample import open_store

    return open_store(args.db, create=create)


def cmd_show(args: argparse.Namespace) -> int:
    from pithtui.export import WRITERS, build_report, write_csv
    from pithtui.hub_text import write_text

    filters = _filters(args)
    remembered = cli_mine.settings()
    sort = args.sort or remembered.sort
    descending = remembered.descending if args.descending is None else args.descending
    repo = _open(args, create=args.fetch)
    hub = _stored_or_fetched(repo, args)
    limit = args.limit if args.limit is not None or args.format != "text" else TEXT_LIMIT
    assert hub.id is not None  # resolve() returns a stored paper
    report = build_report(repo, hub.id, filters, sort, descending, limit)
    with _output(args.output) as out:
        if args.format == "text":
            width = min(shutil.get_terminal_size((100, 24)).columns, 120) if args.output is None else 100
            write_text(report, out, width=width, listed=limit)
        elif args.format == "csv" and args.raw_csv:
            write_csv(report, out, guard=False)
        else:
            WRITERS[args.format](report, out)
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _stored_or_fetched(repo: HubRepository, args: argparse.Namespace) -> Paper:
    """The stored paper ``args.ref`` names; on a miss for an identifier, fetched first with
    ``--fetch``, else one line that says how to fetch it. Title words that match nothing keep
    the store's own message: a service is asked only for an identifier."""
    import shlex

    from pithtui.errors import UnknownPaper
    from pithtui.identifiers import parse_reference

    try:
        return repo.resolve(args.ref)
    except UnknownPaper:
        if parse_reference(args.ref).column is None:
            raise
        if not args.fetch:
            ref = shlex.quote(args.ref.strip())
            raise PithError(
                f"{args.ref.strip()!r} is not in the store; `pithtui fetch {ref}` or `pithtui show {ref} --fetch` fetches it"
            ) from None
    _report(_fetch(repo, args.ref, args.source), sys.stderr)
    return repo.resolve(args.ref)


def _fetch(repo: HubRepository, ref: str, source: str, limit: int | None = None) -> Fetched:
    """``ref`` and its citing papers fetched from ``source`` and stored, with a progress bar on
    standard error when it is a terminal."""
    from pithtui.progress import ProgressBar
    from pithtui.sources.fetch import fetch

    with ProgressBar("fetching citing papers") as bar:
        return fetch(repo, ref, source, limit=limit, progress=bar)


def cmd_papers(args: argparse.Namespace) -> int:
    from pithtui.hub_text import clip
    from pithtui.sources.pithtui_json import paper_to_dict
    from pithtui.text import json_safe, printable

    listings = _open(args).list_papers(args.search, limit=None)
    if args.format == "json":
        data = [{**paper_to_dict(item.paper), "citing_count": item.citing_count} for item in listings]
        sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")
        return 0
    # Titles are clipped to a terminal's width; piped (no terminal, no $COLUMNS) they stay whole.
    room = shutil.get_terminal_size((0, 0)).columns - PAPERS_FIXED
    for item in listings:
        ref = printable(item.paper.best_ref) if item.paper.identifiers else "—"
        title = printable(item.paper.display_title)
        print(f"{item.citing_count:>7}  {ref[:24]:24}  {clip(title, room) if room > 0 else title}")
    if not listings:
        print("no papers match" if args.search else "the store is empty", file=sys.stderr)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from pithtui.store import resolve_url
    from pithtui.text import masked_url

    if args.action == "path":
        print(masked_url(resolve_url(args.db)[0]))
        return 0
    if args.where is not None and args.action != "init":
        raise InputError(f"db {args.action} takes no PATH (use --db)")
    if args.action == "init":
        args.db = args.where or args.db
    for key, value in _open(args, create=args.action == "init").info().items():
        print(f"{key}: {value}")
    return 0


def _report(done: FileImport, out: TextIO | None = None) -> None:
    """What an import or a fetch stored, on ``out`` (standard output by default); a fetch's
    warnings on standard error."""
    from pithtui.sources.fetch import Fetched

    print(done.summary(), file=out or sys.stdout)
    for note in done.result.notes:
        print(f"  {note}", file=out or sys.stdout)
    for warning in done.warnings if isinstance(done, Fetched) else ():
        print(f"pithtui: {warning}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    """Each file in its own transaction; a failed file is reported and the others go on."""
    from pithtui.sources.importer import hub_paper, import_path

    repo = _open(args, create=True)
    hub = hub_paper(repo, args.hub) if args.hub else None
    failed = 0
    for path in args.paths:
        try:
            _report(import_path(repo, path, args.format, hub))
        except PithError as exc:
            failed += 1
            print(f"pithtui: error: {exc}", file=sys.stderr)
    if failed and len(args.paths) > 1:
        print(f"pithtui: {failed} of {len(args.paths)} files failed and stored nothing", file=sys.stderr)
    return 1 if failed else 0


def cmd_fetch(args: argparse.Namespace) -> int:
    _report(_fetch(_open(args, create=True), args.ref, args.source, args.limit))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    """Label what the model has not (all with --force), in batches that each commit: an
    interrupted run keeps what it finished, and the next run takes up the rest."""
    from pithtui.progress import ProgressBar
    from pithtui.sources.citation_model import load_classifier

    if (args.ref is None) == (not args.all):
        raise InputError("classify: give one hub's REF or --all")
    repo = _open(args)
    hub_id = None if args.all else repo.resolve(args.ref).id
    classifier = load_classifier()
    total = repo.to_label(classifier, hub_id, force=args.force)
    done = [0]

    def progress(taken: int, _labelled: int) -> None:
        done[0] = taken
        bar(taken, total)

    try:
        with ProgressBar("classifying citations") as bar:
            taken, labelled, changed = repo.classify(classifier, hub_id, force=args.force, progress=progress)
    except KeyboardInterrupt:
        print(f"pithtui: interrupted; the {done[0]:,} citations classified so far are kept", file=sys.stderr)
        return 130
    print(
        f"classified {taken:,} citations with contexts (model {classifier.model_id}): "
        f"{labelled:,} labelled, {changed:,} changed what the hub shows"
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "show": cmd_show,
    "papers": cmd_papers,
    "db": cmd_db,
    "import": cmd_import,
    "fetch": cmd_fetch,
    "classify": cmd_classify,
    "mark": lambda args: cli_mine.cmd_mark(args, _open(args)),
    "mine": lambda args: cli_mine.cmd_mine(args, _open(args)),
}


def _run_tui(argv: Sequence[str]) -> int:
    args = _tui_parser().parse_args(argv)
    from pithtui.tui import run

    return run(args.db, args.ref, args.ansi)


def _with_global_db(argv: list[str]) -> list[str]:
    """Let ``--db URL`` stand before the subcommand too: ``pithtui --db X show REF``."""
    if len(argv) >= 3 and argv[0] == "--db" and argv[2] in SUBCOMMANDS:
        return [argv[2], "--db", argv[1], *argv[3:]]
    return argv


def _check_encoding(args: Sequence[str]) -> None:
    """Refuse an argument that is not valid UTF-8 (Python hands its bytes over as lone
    surrogates, which nothing downstream can encode)."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise InputError(f"the argument {shown!r} is not valid UTF-8 text") from None


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush of a closed pipe
    says nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _with_global_db(list(sys.argv[1:] if argv is None else argv))
    try:
        _check_encoding(args_list)
        if args_list[:1] in (["-h"], ["--help"]):
            build_parser().print_help()
            return 0
        if args_list and args_list[0] in SUBCOMMANDS:
            args = build_parser().parse_args(args_list)
            status = COMMANDS[args.command](args)
            sys.stdout.flush()  # a full disk or a closed pipe is told here, not at exit
            return status
        return _run_tui(args_list)
    except PithError as exc:
        print(f"pithtui: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        _quiet_stdout()
        return 0
    except OSError as exc:  # standard output cannot be written (a full disk, /dev/full)
        _quiet_stdout()
        print(f"pithtui: error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
