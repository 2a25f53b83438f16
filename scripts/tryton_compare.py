#!/usr/bin/env python3
"""Compares Tryton's stock by location, item and lot with the dockhand hub's stock view.

    python3 scripts/tryton_compare.py --hub http://127.0.0.1:8080 --tryton http://127.0.0.1:8000

The hub's view (GET /v1/admin/stock) is summed over usability statuses (Tryton has none) and its
locations mapped as the connector maps them (docks -> the warehouse input, staging and shipping ->
its output, every other code -> the Tryton location with that code). Tryton's side is the sum of
its done stock moves (+ destination, - source) over the warehouse's storage locations, read in one
call. Prints every difference and "tryton quantities match: N of M lines"; exits 1 when any
line differs, 2 when either side cannot be read. Standard library only.
"""
import argparse
import collections
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tryton_seed import Client  # noqa: E402


def hub_stock(url, admin_token=None):
    request = urllib.request.Request(url.rstrip("/") + "/v1/admin/stock")
    if admin_token:
        request.add_header("Authorization", f"Bearer {admin_token}")
    with urllib.request.urlopen(request, timeout=30) as r:
        lines = json.load(r)
    totals = collections.Counter()
    for line in lines:
        code = line["location"]
        if code.startswith("DOCK"):
            code = "IN"
        elif code.startswith("STAGE") or code.startswith("SHIP"):
            code = "OUT"
        totals[(code, line["sku"], line["lot"])] += line["quantity"]
    return totals


def tryton_stock(client):
    locations = {row["id"]: row for row in client.search_read(
        "stock.location", [], ["code", "type"])}
    products = {row["id"]: row["code"] for row in client.search_read(
        "product.product", [], ["code"])}
    lots = {row["id"]: row["number"] for row in client.search_read("stock.lot", [], ["number"])}
    moves = client.search_read(
        "stock.move", [["state", "=", "done"]],
        ["product", "lot", "from_location", "to_location", "internal_quantity"],
        order=[["id", "ASC"]])
    totals = collections.Counter()
    for move in moves:
        key = (products.get(move["product"], f"product#{move['product']}"),
               lots.get(move["lot"], "") if move["lot"] else "")
        quantity = move["internal_quantity"]
        for location, sign in ((move["to_location"], 1), (move["from_location"], -1)):
            row = locations.get(location)
            if row and row["type"] == "storage" and row.get("code"):
                totals[(row["code"], *key)] += sign * quantity
    return totals


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hub", required=True)
    ap.add_argument("--admin-token", default=os.environ.get("DOCKHAND_HUB_ADMIN_TOKEN"))
    ap.add_argument("--tryton", required=True)
    ap.add_argument("--db", default="wms")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default=os.environ.get("DOCKHAND_ERP_PASSWORD", "admin123"))
    args = ap.parse_args(argv)
    try:
        hub = hub_stock(args.hub, args.admin_token)
        client = Client(args.tryton, args.db, args.user, args.password)
        client.login()
        erp = tryton_stock(client)
    except Exception as e:  # noqa: BLE001 - any failure to read is reported the same way
        print(f"cannot read the stock to compare: {e}", file=sys.stderr)
        return 2
    keys = sorted(k for k in set(hub) | set(erp) if hub.get(k, 0) != 0 or erp.get(k, 0) != 0)
    matching = 0
    for key in keys:
        h, t = hub.get(key, 0), erp.get(key, 0)
        if abs(h - t) < 1e-9:
            matching += 1
        else:
            location, sku, lot = key
            print(f"differs: {location} {sku} lot {lot or '-'}: hub {h}, tryton {t:g}")
    print(f"tryton quantities match: {matching} of {len(keys)} lines")
    return 0 if matching == len(keys) and keys else 1


if __name__ == "__main__":
    sys.exit(main())
