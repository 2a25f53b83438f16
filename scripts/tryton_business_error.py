#!/usr/bin/env python3
"""A business error from Tryton reaches the device that recorded the event, and later events keep
flowing. Run by scripts/tryton-e2e.sh after the shift (needs the `dockhand` Python package, a hub
with the Tryton connector and the seeded Tryton):

    python3 scripts/tryton_business_error.py --hub URL --tryton URL --hub-db PATH_OR_URL

1. Tryton is set to require a lot on every move of DRILL-X1 (dockhand tracks drills by serial).
2. A handheld receives a drill (serial SN-E2E-1), then 2 towels, and syncs: the hub accepts both.
3. The connector posts the drill: Tryton refuses ("... you must provide a stock lot."); the hub
   records Tryton's sentence (`dockhand-hub erp status`) and publishes the rejection.
4. The towels are posted after it (Tryton's stock at the input grows by 2).
5. The handheld's next sync marks the drill event rejected with Tryton's sentence.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_device import enrolled, sign_in, sync  # noqa: E402
from tryton_seed import Client  # noqa: E402

import dockhand  # noqa: E402



def erp_status(hub_binary, hub_db):
    out = subprocess.run([hub_binary, "erp", "status", "--json", "--database", hub_db],
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def towels_at_input(tryton):
    row = tryton.search_read("product.product", [["code", "=", "TOWEL-2P"]], ["quantity"],
                             context={**tryton.context, "locations": [1], "with_childs": False})
    return float(row[0]["quantity"])


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--hub-db", required=True)
    ap.add_argument("--hub-binary", default="target/debug/dockhand-hub")
    ap.add_argument("--tryton", required=True)
    args = ap.parse_args(argv)

    tryton = Client(args.tryton, "wms", "admin", os.environ.get("DOCKHAND_ERP_PASSWORD", "admin123"))
    tryton.login()
    drill = tryton.find_one("product.product", [["code", "=", "DRILL-X1"]], ["template"])
    tryton.model("product.template", "write", [drill["template"]], {"lot_required": ["storage"]})
    towels_before = towels_at_input(tryton)
    before = erp_status(args.hub_binary, args.hub_db)

    device, client = enrolled(args.hub, "e2e handheld")
    sync(client)  # master data (operators, docks, items) from the hub, then offline
    sign_in(device, "alice")  # her badge came with the master data
    op = lambda: str(uuid.uuid4())  # noqa: E731
    device.open_blind_receipt(op(), "alice", "BLIND-E2E", "DN-77", "Tools Inc")
    drill_event = device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id="BLIND-E2E", dock="DOCK-01",
        goods=dockhand.Goods(barcode="4012345000047", serial="SN-E2E-1"), quantity=1))
    device.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id="BLIND-E2E", dock="DOCK-01",
        goods=dockhand.Goods(barcode="4012345000030"), quantity=2))

    pushed = sync(client)
    synced = time.monotonic()
    print(f"device pushed {pushed.acknowledged} events (a drill, then towels)")
    # End to end: from the device's sync to Tryton showing the towels' move.
    while towels_at_input(tryton) - towels_before < 2:
        if time.monotonic() - synced > 120:
            sys.exit("Tryton did not show the towels within 120 s")
        time.sleep(0.05)
    print(f"end to end: Tryton shows the move {time.monotonic() - synced:.2f} s after the device's sync "
          "(the refused drill posted first)")

    deadline = time.monotonic() + 120
    while True:
        status = erp_status(args.hub_binary, args.hub_db)
        if status["pending"] == 0 and status["posted"] + status["failed"] > before["posted"] + before["failed"]:
            break
        if time.monotonic() > deadline:
            sys.exit(f"the connector did not take the new events: {status}")
        time.sleep(0.2)

    refused = [f for f in status["failures"] if f["event_id"] == drill_event.event_id]
    if not refused:
        sys.exit(f"the drill was not refused: {status}")
    reason = refused[0]["message"]
    print(f"hub: refused by Tryton: {reason}")
    if "lot" not in reason:
        sys.exit("the refusal does not carry Tryton's sentence")

    towels_after = towels_at_input(tryton)
    if towels_after - towels_before != 2:
        sys.exit(f"the towels after the refused event were not posted: {towels_before} -> {towels_after}")
    print(f"later events keep flowing: Tryton's input holds {towels_after:g} towels (+2)")

    sync(client)
    exceptions = device.exceptions()
    mine = [e for e in exceptions if e.event_id == drill_event.event_id]
    if not mine or mine[0].reject_reason != reason:
        sys.exit(f"the device does not show the rejection: {exceptions}")
    print(f"device: {device.outbox_counts().rejected} exception: {mine[0].event_type} — {mine[0].reject_reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
