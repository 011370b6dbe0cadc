"""``jutong serve``: run the governance service with uvicorn on the settings' governance
database (embedded SQLite by default; PostgreSQL through ``governance_db_uri``)."""

from __future__ import annotations

import sys


def serve_from_args(args) -> int:
    import uvicorn

    from jutong.governance.db import display_url, engine
    from jutong.settings import get_settings
    from web.app import create_app

    settings = get_settings()
    host = args.host or settings.serve_host
    port = settings.serve_port if args.port is None else args.port
    engine(settings)  # migrate first: a database this version cannot use fails here, clearly
    from jutong.governance.users import list_users

    if not list_users(settings):
        print(
            "note: no users yet — add one first, e.g. "
            "`jutong users add admin --role bureau_admin@dashuju --password` "
            "(then POST /api/v1/auth/login)",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"Jutong governance service on http://{host}:{port}/ — API /api/v1, "
        f"docs /api/docs; governance database {display_url(settings)}",
        file=sys.stderr,
        flush=True,
    )
    if args.workers and args.workers > 1:
        # several workers need an import string; each builds the app from the same settings
        uvicorn.run(
            "web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=args.workers,
            log_level=args.log_level,
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=args.log_level)
    return 0
