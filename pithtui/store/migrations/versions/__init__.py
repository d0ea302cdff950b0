"""Alembic revisions of the pithtui schema, oldest first (see the package above)."""
