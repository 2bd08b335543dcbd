"""Alembic environment: runs migrations on the engine that `storage.db` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from om_bot.storage.models import Base


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("om_bot.storage.db.migrate passes the engine; run migrations through it")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things; batch mode recreates tables instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
