"""Governance records: review decisions, correction tickets, release actions, audit.

One relational database (``Settings.governance_db_uri``: SQLite embedded, PostgreSQL at scale)
reached through SQLAlchemy Core. Every table is declared in ``jutong.governance.schema`` and
created or changed by the Alembic migrations in ``migrations/``; ``jutong.governance.db.engine``
upgrades the database before first use.
"""
