#!/usr/bin/env python3
"""Checks, after the demo's shift against a hub posting to Tryton, the demo's shared-stock step:
handheld-08 puts towels away to A-01-04 while offline, a third handheld (handheld-10) counts the
shelf it sees empty and adjusts +12, and once 08 syncs the hub books -12 against the count. Tryton
must hold the 12 towels once (from 08's putaway) and no document for the count: neither the
handheld's adjustment (the hub observed the count) nor a net (it nets to nothing).

    python3 scripts/tryton_shared_count.py --hub http://127.0.0.1:8080 --tryton http://127.0.0.1:8000

Prints "shared count: …, no double adjustment"; exits 1 when Tryton holds a document of the count,
when the hub's books differ from the above, or when the count is not found. Standard library only.
"""
import argparse
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tryton_seed import Client  # noqa: E402

ADJUSTED = "counting.adjusted"
SHELF = "A-01-04"


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def feed(hub):
    """Every event of the hub's ERP feed, page by page."""
    cursor, events = "", []
    while True:
        page = get(f"{hub}/v1/feed/events?limit=1000&cursor={cursor}")
        events.extend(page["events"])
        if not page["has_more"]:
            return events
        cursor = page["next_cursor"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hub", required=True)
    parser.add_argument("--tryton", required=True)
    parser.add_argument("--db", default="wms")
    args = parser.parse_args(argv)
    hub = args.hub.rstrip("/")

    counted = [e for e in feed(hub) if e["event_type"] == ADJUSTED
               and e["payload"]["location"] == SHELF and e["device_id"].startswith("handheld-10")]
    if not counted:
        sys.exit(f"no count adjustment of {SHELF} by handheld-10 in the hub's feed: did the demo run?")
    task = counted[-1]["payload"]["task_id"]
    handheld = sum(e["payload"]["variance"] for e in counted if e["payload"]["task_id"] == task)
    corrections = [c for c in get(f"{hub}/v1/admin/counts/reconciled")
                   if c["movement"]["location"] == SHELF]
    hub_booked = sum(c["movement"]["delta"] for c in corrections)
    held = [h for h in get(f"{hub}/v1/admin/counts/held") if h["task_id"] == task]

    client = Client(args.tryton, args.db, "admin", os.environ.get("DOCKHAND_ERP_PASSWORD", "admin123"))
    client.login()
    ids = {e["event_id"] for e in counted} | {c["event_id"] for c in corrections}
    documents = []
    # Every document the connector makes carries `dockhand:<event id>[:n]` as its reference.
    for model in ("stock.shipment.internal", "stock.shipment.in", "stock.shipment.out.return",
                  "stock.shipment.in.return"):
        for row in client.search_read(model, [["reference", "like", "dockhand:%"]], ["reference"]):
            if row["reference"].split(":")[1] in ids:
                documents.append(f"{model} {row['reference']}")
    print(f"shared count: {task} at {SHELF} by handheld-10: handheld adjusted {handheld:+d}, "
          f"hub booked {hub_booked:+d}, held from the ERP {len(held)}, "
          f"Tryton documents of the count {len(documents)}")
    problems = []
    if handheld + hub_booked != 0:
        problems.append(f"the count nets to {handheld + hub_booked:+d}, not 0")
    if held:
        problems.append(f"{len(held)} count lines still held from the ERP")
    if documents:
        problems.append("Tryton holds documents of the count: " + "; ".join(documents))
    if problems:
        sys.exit("double adjustment: " + "; ".join(problems))
    print("shared count: no double adjustment (Tryton's quantities are compared by tryton_compare.py)")


if __name__ == "__main__":
    main()
