"""Alembic environment: run with the connection the store hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from gateway.store import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite")
if connection.dialect.name == "postgresql":
    # Several gateways may start at once: one migrates, the others wait.
    connection.execute(text("SELECT pg_advisory_xact_lock(872301)"))
with context.begin_transaction():
    context.run_migrations()
