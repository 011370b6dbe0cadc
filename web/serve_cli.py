"""``jutong serve``: run the governance service with uvicorn on the settings' governance
database (embedded SQLite by default; PostgreSQL through ``governance_db_uri``)."""

from __future__ import annotations

import sys

from jutong.settings import Settings


def startup_lines(settings: Settings, host: str, port: int, *, has_users: bool) -> list[str]:
    """What ``jutong serve`` says before it starts: where the API, the staff console and the
    public portal are, the governance database in use, and — on a home without users — how
    to add the first one (or ``make demo`` for the demo's users)."""
    from jutong.governance.db import display_url

    # where a browser on this machine reaches it (a wildcard address is not one to open)
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    base = f"http://{shown}:{port}"
    lines = []
    if not has_users:
        lines += [
            "note: no users yet — nobody can sign in to the console or the API. Add one first, "
            "e.g. `jutong users add admin --role bureau_admin@dashuju --password` "
            "(then sign in at /console/ or POST /api/v1/auth/login),",
            "      or run `make demo` for the demo's users (printed at its end, with their roles).",
        ]
    lines += [
        f"Jutong governance service listening on {host}:{port} "
        f"(governance database {display_url(settings)}):",
        f"  staff console 工作台   {base}/console/",
        f"  open-data portal 门户  {base}/",
        f"  REST API               {base}/api/v1 (docs {base}/api/docs)",
    ]
    return lines


def serve_from_args(args) -> int:
    import uvicorn

    from jutong.governance.db import engine
    from jutong.settings import get_settings
    from web.app import create_app

    settings = get_settings()
    host = args.host or settings.serve_host
    port = settings.serve_port if args.port is None else args.port
    engine(settings)  # migrate first: a database this version cannot use fails here, clearly
    from jutong.governance.users import list_users

    for line in startup_lines(settings, host, port, has_users=bool(list_users(settings))):
        print(line, file=sys.stderr, flush=True)
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
