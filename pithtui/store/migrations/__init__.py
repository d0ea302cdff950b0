"""The schema's history, as Alembic revisions (``versions/``), run by :mod:`pithtui.store.migrate`.

Every store records its revision in ``alembic_version``. Opening a store at an older revision
upgrades it, in one transaction, to ``SCHEMA_REVISION`` (pithtui/store/schema.py); a store at a
revision this pithtui does not know was written by a newer one and is refused. A new store is
created from schema.py directly and stamped with ``SCHEMA_REVISION``.

Changing the tables in schema.py therefore takes three steps:

1. a new file in ``versions/`` (``NNNN_what_changes.py``, ``revision = "NNNN"``,
   ``down_revision`` the previous one) whose ``upgrade()`` spells the change out with ``op.*``
   calls and plain SQL: never built from ``Base.metadata``, which moves on while a revision
   must stay what it was;
2. ``SCHEMA_REVISION = "NNNN"`` in schema.py;
3. ``python -m pytest tests/test_migrations.py``: a store upgraded from 0001 must have
   exactly the schema a new store gets, on SQLite and PostgreSQL.

Revisions only go forward: pithtui never downgrades a store.
"""
