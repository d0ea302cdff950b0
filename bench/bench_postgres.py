"""The repository calls of ``bench.run``'s query suite on PostgreSQL, beside the same calls on
SQLite, on the same synthetic hub; prints both and their ratio.

    python -m bench.bench_postgres --db postgresql+psycopg://user@host/bench --citing 100000

An empty PostgreSQL database is first filled through ``bench.generate`` (pithtui's own import
path, so the rate printed is PostgreSQL's import rate), then its planner statistics refreshed;
the SQLite store is ``bench.run``'s cached one of the same size and seed (made if missing).
Each figure is the median of ``--repeat`` calls after one to warm up. ``--json`` writes them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import generate
from bench.run import ensure_store, median_ms, repository_calls, time_calls
from pithtui.store import open_repository


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL URL: an empty database, or one this filled before")
    parser.add_argument("--citing", type=int, default=100_000, help="citing papers of the main hub")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    postgres = open_repository(args.db)
    if postgres.engine.dialect.name != "postgresql":
        parser.error(f"{args.db}: not a PostgreSQL URL")
    if postgres.is_empty():
        filled = generate.fill(postgres, args.citing, seed=args.seed)
        print(f"filled {args.db} with {filled.citations:,} citations at {filled.rate:,.0f} citations/s")
        with postgres.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    path, _ = ensure_store(args.citing, args.seed, regenerate=False)
    sqlite = open_repository(f"sqlite:///{path}")
    print(f"PostgreSQL: {postgres.info()['citations']:,} citations; SQLite: {sqlite.info()['citations']:,}")

    rows = []
    print(f"{'call':66} {'PostgreSQL':>10} {'SQLite':>10} {'ratio':>7}")
    for (label, on_postgres), (_, on_sqlite) in zip(repository_calls(postgres), repository_calls(sqlite)):
        pg_ms = median_ms(time_calls(on_postgres, args.repeat))
        sqlite_ms = median_ms(time_calls(on_sqlite, args.repeat))
        rows.append({"query": label, "postgresql_ms": pg_ms, "sqlite_ms": sqlite_ms})
        print(f"{label:66} {pg_ms:8.1f} ms {sqlite_ms:7.1f} ms {pg_ms / sqlite_ms:6.1f}×")
    postgres.close()
    sqlite.close()
    if args.json:
        args.json.write_text(json.dumps({"citing": args.citing, "seed": args.seed, "calls": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
