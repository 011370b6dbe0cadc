"""``jutong share deliver REF | --all``: build the gated delivery of subscribed share requests
(added to the ``share`` command of ``jutong.governance.sharing_cli``)."""

from __future__ import annotations

import argparse
import sys


def cmd_deliver(args) -> int:
    from jutong.catalog.loader import CatalogError
    from jutong.settings import get_settings
    from masking.delivery import DeliveryError, deliver, deliver_all
    from masking.keys import KeyError_

    settings = get_settings()
    try:
        if args.all:
            results = deliver_all(settings, actor=args.by)
        elif args.ref:
            results = [deliver(settings, args.ref, actor=args.by)]
        else:
            raise DeliveryError("name a request (SR-000001) or give --all")
    except (DeliveryError, CatalogError, KeyError_) as err:
        print(f"jutong share: {err}", file=sys.stderr)
        return 1
    if not results:
        print("No subscribed share requests to deliver.")
    for r in results:
        print(r.summary())
    return 0


def register(sub) -> None:
    share = sub.choices.get("share") if hasattr(sub, "choices") else None
    if share is None:
        raise RuntimeError("masking.delivery_cli must be registered after the share command")
    verbs = next(a for a in share._actions if isinstance(a, argparse._SubParsersAction))
    d = verbs.add_parser(
        "deliver",
        help="build the gated delivery of a subscribed request (or --all changed ones)",
        description=__doc__,
    )
    d.add_argument("ref", nargs="?", help="the request, e.g. SR-000001")
    d.add_argument("--all", action="store_true", help="every subscribed request")
    d.add_argument("--by", default="jutong", help="who runs it (recorded in the audit)")
    d.set_defaults(func=cmd_deliver)
