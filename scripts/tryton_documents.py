#!/usr/bin/env python3
"""Devices -> hub -> Tryton's own documents: work on a document that came from Tryton completes
that document. Run by scripts/tryton-e2e.sh after the pull check (needs the `dockhand` Python
package, a hub with the Tryton connector and the seeded Tryton):

    python3 scripts/tryton_documents.py --hub URL --tryton URL

1. In Tryton, an inventory of bin A-01-01 is requested. A handheld syncs: it has ASN-7001 (96
   TOWEL-2P, 24 COFFEE-500 from the purchase) to receive, the sale's customer shipment as pick
   task OUT-<number> (30 TOWEL-2P) and the inventory as count task INV-<id>.
2. Offline, it receives 96 towels and 20 coffee of lot L-E2E-ASN (expiry 2027-06-30) in three
   scans and closes the receipt (4 coffee short), puts the towels away into A-01-01, picks 20 of
   the 30 towels (10 short), counts A-01-01 one towel short, receives the 2 towels of RMA-7001
   on the returns bench, packs the 20 picked towels into a carton (its SSCC from the block the hub
   handed the handheld), loads it at door SHIP-01, ships the order, and syncs.
3. Tryton: ASN-7001's own supplier shipment is done with the purchase's moves at the received
   quantities and the lot with its expiry; no scan was posted as a shipment of its own; the
   sale's shipment is done with 20 towels picked from A-01-01, and Tryton's sale has made the
   backorder of the 10 short as a new waiting shipment; the inventory is confirmed and
   moved the one towel to lost-and-found; RMA-7001's customer return is done into RET-01.
"""
import datetime
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_device import approval, enrolled, hub_and_tryton, sign_in, sync  # noqa: E402

import dockhand  # noqa: E402


# What the sample warehouse's location labels read (core/src/sample.rs): the demo imported them
# into the hub, and Tryton's pull keeps what the hub knows. A person knows a label by standing in
# front of it; the device never hands a check string out.
LABELS = {"A-01-01": "41", "SHIP-01": "84"}

TOWEL, COFFEE = "4012345000030", "4012345000023"
LOT, EXPIRY = "L-E2E-ASN", "2027-06-30"


def main(argv=None):
    args, tryton = hub_and_tryton(argv)
    shipment = tryton.find_one("stock.shipment.in", [["reference", "=", "ASN-7001"]],
                               ["state", "number", "incoming_moves"])
    if shipment is None or shipment["state"] != "draft":
        sys.exit(f"ASN-7001 in Tryton: {shipment}")

    sale = tryton.find_one("stock.shipment.out", [["state", "=", "waiting"]], ["number"])
    if sale is None:
        sys.exit("no waiting customer shipment in Tryton")
    bin_id = tryton.find_one("stock.location", [["code", "=", "A-01-01"]])["id"]
    inventory, = tryton.model("stock.inventory", "create", [{
        "location": bin_id, "date": datetime.date.today(), "empty_quantity": "keep"}])

    # A station working Tryton's own documents on stock of its own (SyncSettings.shared_stock
    # off): its putaway, pick and count meet exactly the quantities Tryton's documents name, not
    # the stock the e2e's other handhelds left on the same shelves.
    device, client = enrolled(args.hub, "documents", shared_stock=False)
    pick_task, count_task = f"OUT-{sale['number']}", f"INV-{inventory}"
    deadline = time.monotonic() + 60
    while True:
        sync(client)
        try:
            device.pick_task(pick_task)
            device.count_task(count_task)
            break
        except dockhand.DockhandError:
            if time.monotonic() > deadline:
                sys.exit(f"{pick_task} and {count_task} did not reach the handheld within 60 s")
            time.sleep(0.2)
    # The badges came with the hub's master data: each person signs in before they scan.
    sign_in(device, "alice")
    receipt = device.receipt("ASN-7001")
    op = lambda: str(uuid.uuid4())  # noqa: E731
    scans = []
    for goods, quantity in ((dockhand.Goods(barcode=TOWEL), 60),
                            (dockhand.Goods(barcode=TOWEL), 36),
                            (dockhand.Goods(barcode=COFFEE, lot=LOT, expiry=EXPIRY), 20)):
        scans.append(device.receive(dockhand.ReceiveRequest(
            op_id=op(), operator="alice", receipt_id=receipt.id, dock="DOCK-01", goods=goods,
            quantity=quantity)))
    closed = device.close_receipt(op(), "alice", receipt.id)
    print(f"device: ASN-7001 received in {len(scans)} scans and closed "
          f"({closed.total_received} units, {len(closed.discrepancies)} line short)")

    # Only a scan of the location's label proves presence.
    check = LABELS["A-01-01"]
    device.confirm_putaway(dockhand.PutawayRequest(
        op_id=op(), operator="alice", from_location="DOCK-01", goods=dockhand.Goods(barcode=TOWEL),
        quantity=96, to="A-01-01", location_scan=check))
    sign_in(device, "bob")
    device.start_pick_task(op(), "bob", pick_task)
    pick = device.next_pick(pick_task)
    if (pick.location, pick.quantity) != ("A-01-01", 30):
        sys.exit(f"pick instruction for {pick_task}: {pick}")
    picked = device.confirm_pick(dockhand.PickRequest(
        op_id=op(), operator="bob", task_id=pick_task, allocation_id=pick.allocation_id,
        location_scan=check, goods=dockhand.Goods(barcode=TOWEL), quantity=20, short=True))
    print(f"device: {pick_task} picked {picked.picked}, {picked.short} short")

    device.start_count(op(), "bob", count_task)
    counted = [dockhand.CountedGoods(location="A-01-01", goods=dockhand.Goods(barcode=TOWEL), quantity=75)]
    result = device.submit_count(op(), "bob", count_task, counted)
    if result.outcome == dockhand.CountOutcome.RECOUNT_REQUIRED:
        sign_in(device, "alice")
        result = device.submit_count(op(), "alice", count_task, counted)
    if result.outcome == dockhand.CountOutcome.APPROVAL_REQUIRED:
        result = device.approve_count(op(), device.signed_in().id, count_task, approval("sam"))
    if result.outcome != dockhand.CountOutcome.ADJUSTED:
        sys.exit(f"count {count_task}: {result}")
    print(f"device: {count_task} counted A-01-01: 75 towels, variance "
          f"{[line.variance for line in result.lines]}")

    sign_in(device, "alice")
    rma = tryton.find_one("stock.shipment.out.return", [["reference", "=", "RMA-7001"]], ["state"])
    device.receive_return(dockhand.ReturnRequest(
        op_id=op(), operator="alice", return_id="RMA-7001", reference="SO-7001",
        customer="Dockhand Demo Customer", location="RET-01",
        lines=[dockhand.ReturnedGoods(line_no=1, goods=dockhand.Goods(barcode=TOWEL), quantity=2)]))
    print("device: RMA-7001 received on RET-01 (2 towels)")

    # The picked towels leave: packed into a carton at the task's staging, loaded, shipped.
    task = device.pick_task(pick_task)
    carton = device.build_unit(op(), "alice", dockhand.UnitKind.CARTON, task.order_ref, task.staging).unit
    device.pack_goods(dockhand.PackRequest(
        op_id=op(), operator="alice", lpn=carton.lpn, from_tote=None,
        goods=dockhand.Goods(barcode=TOWEL), quantity=20))
    device.load_unit(op(), "alice", task.order_ref, "SHIP-01", LABELS["SHIP-01"], carton.lpn)
    left = device.ship_order(op(), "alice", task.order_ref, "SHIP-01", LABELS["SHIP-01"])
    print(f"device: order {task.order_ref} packed into carton {carton.lpn}, loaded at SHIP-01 "
          f"and shipped ({left.base_quantity} towels)")

    pushed = sync(client)
    synced = time.monotonic()

    def state(model, id_):
        return tryton.model(model, "read", [id_], ["state"])[0]["state"]

    deadline = synced + 120
    while (state("stock.shipment.in", shipment["id"]), state("stock.shipment.out", sale["id"]),
           state("stock.inventory", inventory),
           state("stock.shipment.out.return", rma["id"])) != ("done", "done", "done", "done"):
        if time.monotonic() > deadline:
            sys.exit(f"Tryton's documents not complete within 120 s: ASN-7001 "
                     f"{state('stock.shipment.in', shipment['id'])}, shipment {sale['number']} "
                     f"{state('stock.shipment.out', sale['id'])}, inventory {inventory} "
                     f"{state('stock.inventory', inventory)}, RMA-7001 "
                     f"{state('stock.shipment.out.return', rma['id'])}")
        time.sleep(0.1)
    print(f"tryton: ASN-7001's shipment {shipment['number']} done, customer shipment "
          f"{sale['number']} done, inventory {inventory} confirmed, RMA-7001 done "
          f"{time.monotonic() - synced:.2f} s after the device's sync ({pushed.acknowledged} events)")

    moves = tryton.search_read("stock.move", [["shipment", "=", f"stock.shipment.in,{shipment['id']}"]],
                               ["product.code", "quantity", "lot.number", "lot.expiration_date",
                                "state", "origin"])
    got = sorted((m["product."]["code"], float(m["quantity"]),
                  (m.get("lot.") or {}).get("number"), m["state"]) for m in moves)
    want = [("COFFEE-500", 20.0, LOT, "done"), ("TOWEL-2P", 96.0, None, "done")]
    if got != want:
        sys.exit(f"ASN-7001's moves in Tryton: {got}, expected {want}")
    if set(m["id"] for m in moves) != set(shipment["incoming_moves"]):
        sys.exit("the received moves are not the purchase's moves of ASN-7001")
    if not all(str(m.get("origin") or "").startswith("purchase.line,") for m in moves):
        sys.exit(f"the moves lost their purchase lines: {[m.get('origin') for m in moves]}")
    expiry = [(m.get("lot.") or {}).get("expiration_date") for m in moves if m["product."]["code"] == "COFFEE-500"][0]
    if str(expiry) != EXPIRY:
        sys.exit(f"lot {LOT} expires {expiry} in Tryton, scanned {EXPIRY}")
    own = tryton.search_read("stock.shipment.in",
                             [["reference", "in", [f"dockhand:{s.event_id}" for s in scans]]], ["id"])
    if own:
        sys.exit(f"scans of ASN-7001 were also posted as shipments of their own: {own}")
    print(f"tryton: ASN-7001 = the purchase's moves with 96 TOWEL-2P and 20 COFFEE-500 "
          f"lot {LOT} (expires {expiry}); no scan posted on its own")

    resource = f"stock.shipment.out,{sale['id']}"
    moves = tryton.search_read("stock.move", [["shipment", "=", resource]],
                               ["product.code", "quantity", "from_location.code", "to_location.code", "state"])
    got = sorted((m["product."]["code"], float(m["quantity"]), (m.get("from_location.") or {}).get("code"),
                  m["state"]) for m in moves)
    inventory_moves = [g for g in got if g[2] == "A-01-01"]
    outgoing = [g for g in got if g[2] != "A-01-01"]
    if inventory_moves != [("TOWEL-2P", 20.0, "A-01-01", "done")] or [(g[1], g[3]) for g in outgoing] != [(20.0, "done")]:
        sys.exit(f"customer shipment {sale['number']}'s moves: {got}")
    # Tryton's sale makes its backorder after the shipment is done (a queued sale process).
    deadline = time.monotonic() + 30
    while True:
        backorders = tryton.search_read(
            "stock.shipment.out", [["moves.sale.reference", "=", task.order_ref], ["id", "!=", sale["id"]]],
            ["number", "state"])
        rest = tryton.search_read("stock.move", [["shipment", "in", [f"stock.shipment.out,{b['id']}" for b in backorders]],
                                                 ["to_location.type", "=", "customer"]], ["quantity"])
        if backorders or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if [b["state"] for b in backorders] != ["waiting"] or [float(m["quantity"]) for m in rest] != [10.0]:
        sys.exit(f"sale {task.order_ref}'s backorder: shipments {backorders}, moves {rest}")
    print(f"tryton: customer shipment {sale['number']}: 20 TOWEL-2P picked from A-01-01 and shipped; "
          f"the sale's backorder {backorders[0]['number']} waits with the 10 short")

    moves = tryton.search_read("stock.move", [["origin", "like", "stock.inventory.line,%"],
                                              ["from_location", "=", bin_id]],
                               ["product.code", "quantity", "to_location.type", "state"])
    got = [(m["product."]["code"], float(m["quantity"]), m["to_location."]["type"], m["state"]) for m in moves]
    if got != [("TOWEL-2P", 1.0, "lost_found", "done")]:
        sys.exit(f"inventory {inventory}'s moves: {got}")
    print(f"tryton: inventory {inventory} of A-01-01 moved 1 TOWEL-2P to lost-and-found")

    moves = tryton.search_read("stock.move", [["shipment", "=", f"stock.shipment.out.return,{rma['id']}"]],
                               ["product.code", "quantity", "to_location.code", "state"])
    got = [(m["product."]["code"], float(m["quantity"]), m["to_location."]["code"], m["state"]) for m in moves]
    if got != [("TOWEL-2P", 2.0, "RET-01", "done")]:
        sys.exit(f"RMA-7001's moves: {got}")
    print("tryton: RMA-7001 = its own move of 2 TOWEL-2P, received into RET-01")
    return 0


if __name__ == "__main__":
    sys.exit(main())
