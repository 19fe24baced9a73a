"""Alembic's environment script: runs the migrations on the engine ``migrate.alembic_config`` passes in."""

from alembic import context

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
    context.run_migrations()
