#!/usr/bin/env python3
"""Go-live with Tryton: a new hub whose opening balance is Tryton's stock on hand, and a handheld
that sees it. Run by scripts/tryton-e2e.sh once the warehouse's work is in Tryton (needs the
`dockhand` Python package and a hub, without ERP connector, on a database where
`dockhand-hub erp opening-balance` has run):

    python3 scripts/tryton_go_live.py --hub URL --tryton URL

A new handheld syncs with the hub: its view must equal the hub's stock bucket by bucket, with the
expiry Tryton gives each lot, and every bucket must be Tryton's quantity for that location, item
and lot. Prints "go-live: N buckets on the handheld = the hub's = Tryton's".
"""
import collections
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_device import enrolled, hub_and_tryton, sync  # noqa: E402
from tryton_compare import tryton_stock  # noqa: E402


def main(argv=None):
    args, tryton = hub_and_tryton(argv)
    with urllib.request.urlopen(args.hub.rstrip("/") + "/v1/admin/stock", timeout=30) as r:
        hub = {(l["location"], l["sku"], l["lot"], l["status"]): l["quantity"] for l in json.load(r)}
    if not hub:
        sys.exit("go-live: the hub holds no stock")

    device, client = enrolled(args.hub, "go live")
    report = sync(client)
    view = {}
    for location in sorted({k[0] for k in hub}):
        for b in device.balances_at_location(location):
            key = (b.location, b.sku, b.lot, str(b.status).split(".")[-1].lower())
            view[key] = view.get(key, 0) + b.quantity
    if view != hub:
        only = {k: (view.get(k), hub.get(k)) for k in set(view) | set(hub) if view.get(k) != hub.get(k)}
        sys.exit(f"go-live: the handheld's view differs from the hub's (view, hub): {only}")

    # Each bucket is Tryton's quantity there.
    erp = tryton_stock(tryton)
    by_place = collections.Counter()
    for (location, sku, lot, _), quantity in hub.items():
        by_place[(location, sku, lot)] += quantity
    differs = {k: (q, erp.get(k, 0)) for k, q in by_place.items() if abs(q - erp.get(k, 0)) > 1e-9}
    if differs:
        sys.exit(f"go-live: the hub's opening balance differs from Tryton's stock (hub, tryton): {differs}")

    # The lots' expiry came from Tryton's lots.
    lots = {(row["number"]): row.get("expiration_date") for row in tryton.search_read(
        "stock.lot", [], ["number", "expiration_date"])}
    missing = []
    for location in sorted({k[0] for k in hub}):
        for b in device.balances_at_location(location):
            expiry = lots.get(b.lot)
            if b.lot and expiry and str(b.expiry) != str(expiry):
                missing.append((b.location, b.sku, b.lot, b.expiry, expiry))
    if missing:
        sys.exit(f"go-live: lot expiry on the handheld differs from Tryton's: {missing}")
    print(f"go-live: {len(hub)} buckets on the handheld = the hub's = Tryton's "
          f"({sum(hub.values())} base units, {report.stock_pulled} pulled)")


if __name__ == "__main__":
    main()
