"""Alembic environment: run against the connection the workbench hands in (no alembic.ini needed)."""

from alembic import context

from cdi_workbench.storage.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
