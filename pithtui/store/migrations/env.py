"""Alembic's entry point, run by :func:`pithtui.store.migrate.upgrade` on a connection that is
already inside the caller's transaction (so the whole upgrade commits or rolls back as one)."""

from alembic import context

context.configure(connection=context.config.attributes["connection"], version_table="alembic_version")
with context.begin_transaction():
    context.run_migrations()
