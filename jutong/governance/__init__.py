"""Governance records: review decisions, correction tickets, release actions, audit.

One relational database (``Settings.governance_db_uri``: SQLite embedded, PostgreSQL at scale)
reached through SQLAlchemy Core. Each module declares its tables on the shared ``metadata``
and creates them on first use with ``ensure_tables``.
"""
