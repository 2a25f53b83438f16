#!/usr/bin/env python3
"""Go-live with Tryton, then a shift of three handhelds on one stock, posted to Tryton. Run by
scripts/tryton-e2e.sh on the go-live hub (its opening balance is Tryton's stock on hand) once it
serves with the Tryton connector:

    python3 scripts/tryton_go_live_shared.py --hub URL --tryton URL

1. A receiver receives Tryton's ASN-7002 (48 towels) and puts them away to A-01-01, where the
   opening balance has towels, and stays offline.
2. A counter syncs and counts the towels of A-01-01: it finds the opening quantity and the
   receiver's 48, which its view does not have, and adjusts.
3. The receiver syncs: the hub books the count's adjustment back (the count saw those 48).
4. A picker syncs, sees the receiver's towels and picks 10 towels (from A-01-01 or the pick face,
   as its allocation chooses).
5. Once Tryton has everything: its quantity of every bucket the hub holds is the hub's, and no
   Tryton document carries the count (no double adjustment).

Prints "go-live shared: …"; exits 1 on any difference.
"""
import json
import os
import sys
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_device import BADGES, approval, enrolled, hub_and_tryton, sign_in, sync  # noqa: E402
from tryton_compare import hub_stock, tryton_stock  # noqa: E402

import dockhand  # noqa: E402

TOWEL, TOWEL_SKU, SHELF, ADJUSTED = "4012345000030", "TOWEL-2P", "A-01-01", "counting.adjusted"
# Tryton's warehouse input and output, the dock and the staging of a hub whose locations came from
# Tryton.
DOCK, STAGING = "IN", "OUT"


def label(code):
    """What the label of a location Tryton created reads (hub/src/erp/tryton/pull.rs: two digits
    derived from its code, printed by dockhand at go-live)."""
    return f"{sum((i + 1) * b for i, b in enumerate(code.encode())) % 100:02d}"


def op():
    return str(uuid.uuid4())


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def until(what, check, seconds=120):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"go-live shared: {what} not within {seconds} s")
        time.sleep(0.2)


def towels_at(device, location):
    return sum(b.quantity for b in device.balances_at_location(location) if b.sku == TOWEL_SKU)


def hub_by_place(hub):
    """The hub's stock by Tryton location, item and lot, on the shelves (the warehouse's input and
    output also hold what went through them before go-live, which the opening balance left out)."""
    return {k: q for k, q in hub_stock(hub).items() if k[0] not in ("IN", "OUT")}


def staff(hub):
    """The operators and their badges, which Tryton does not hold: imported as a go-live does."""
    names = {"alice": ("Alice Moreau", "operator"), "bob": ("Bob Okafor", "operator"),
             "sam": ("Sam Lindqvist", "supervisor")}
    body = json.dumps({
        "operators": [{"id": o, "name": n, "role": r, "active": True} for o, (n, r) in names.items()],
        "badges": [{"operator_id": o, "badge": b, "pin": p} for o, (b, p) in BADGES.items()],
    }).encode()
    request = urllib.request.Request(f"{hub}/v1/admin/import", data=body,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        r.read()


def main(argv=None):
    args, tryton = hub_and_tryton(argv)
    hub = args.hub.rstrip("/")
    staff(hub)
    receiver, rc = enrolled(hub, "go live receiver")
    counter, cc = enrolled(hub, "go live counter")
    picker, pc = enrolled(hub, "go live picker")

    def asn_arrived():
        sync(rc)
        try:
            return receiver.receipt("ASN-7002")
        except dockhand.DockhandError:
            return None

    receipt = until("Tryton's ASN-7002 on the receiver", asn_arrived)
    sync(cc)
    sync(pc)
    opening = towels_at(counter, SHELF)

    # 1. Received and put away, offline.
    sign_in(receiver, "alice")
    receiver.receive(dockhand.ReceiveRequest(
        op_id=op(), operator="alice", receipt_id=receipt.id, dock=DOCK,
        goods=dockhand.Goods(barcode=TOWEL), quantity=48))
    receiver.close_receipt(op(), "alice", receipt.id)
    receiver.confirm_putaway(dockhand.PutawayRequest(
        op_id=op(), operator="alice", from_location=DOCK, goods=dockhand.Goods(barcode=TOWEL),
        quantity=48, to=SHELF, location_scan=label(SHELF)))
    time.sleep(0.05)

    # 2. Counted by a handheld that has not seen them.
    sync(cc)
    sign_in(counter, "bob")
    task = f"CC-GOLIVE-{uuid.uuid4().hex[:6]}"
    counter.create_count_task(op(), "bob", task, SHELF, TOWEL_SKU, "go-live check")
    counter.start_count(op(), "bob", task)
    found = opening + 48
    counted = [dockhand.CountedGoods(location=SHELF, goods=dockhand.Goods(barcode=TOWEL), quantity=found)]
    result = counter.submit_count(op(), "bob", task, counted)
    if result.outcome == dockhand.CountOutcome.RECOUNT_REQUIRED:
        sign_in(counter, "alice")
        result = counter.submit_count(op(), "alice", task, counted)
    if result.outcome == dockhand.CountOutcome.APPROVAL_REQUIRED:
        result = counter.approve_count(op(), counter.signed_in().id, task, approval("sam"))
    if result.outcome != dockhand.CountOutcome.ADJUSTED:
        sys.exit(f"go-live shared: count {task}: {result}")
    sync(cc)

    # 3. The receiver comes back; 4. the picker picks from what it put away.
    sync(rc)
    sync(pc)
    seen_by_picker = towels_at(picker, SHELF)
    sign_in(picker, "bob")
    order = f"SO-GOLIVE-{uuid.uuid4().hex[:6]}"
    picker.create_pick_task(op(), "bob", dockhand.NewPickTask(
        task_id=order, order_ref=order, staging=STAGING,
        lines=[dockhand.NewPickLine(line_no=1, sku=TOWEL_SKU, quantity=10)]))
    picked_here = 0
    while (pick := picker.next_pick(order)) is not None:
        if pick.location == SHELF:
            picked_here += pick.quantity
        picker.confirm_pick(dockhand.PickRequest(
            op_id=op(), operator="bob", task_id=order, allocation_id=pick.allocation_id,
            location_scan=label(pick.location),
            goods=dockhand.Goods(barcode=TOWEL), quantity=pick.quantity, short=False))
    for _ in range(2):
        for client in (rc, cc, pc):
            sync(client)

    # 5. Tryton has it all, once. The handheld that checked the go-live is off shift: it never
    # synced past the count, so a supervisor releases the count to the ERP.
    held = get(f"{hub}/v1/admin/counts/held")
    if held:
        body = json.dumps({"task_id": task, "released_by": "sam"}).encode()
        request = urllib.request.Request(f"{hub}/v1/admin/counts/release", data=body,
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            released = json.load(r)
        print(f"go-live shared: {len(released)} count line(s) held for a handheld off shift, "
              f"released by sam")

    def agreed():
        hub_now, erp = hub_by_place(hub), tryton_stock(tryton)
        differs = {k: (q, erp.get(k, 0)) for k, q in hub_now.items() if abs(q - erp.get(k, 0)) > 1e-9}
        return (hub_now, differs) if not differs else None

    try:
        hub_now, _ = until("Tryton's quantities equal to the hub's", agreed, seconds=180)
    except SystemExit:
        hub_now, erp = hub_by_place(hub), tryton_stock(tryton)
        differs = {k: (q, erp.get(k, 0)) for k, q in hub_now.items() if abs(q - erp.get(k, 0)) > 1e-9}
        sys.exit(f"go-live shared: the hub's stock differs from Tryton's (hub, tryton): {differs}")
    shelf = hub_now.get((SHELF, TOWEL_SKU, ""), 0)
    views = {h.device_id(): towels_at(h, SHELF) for h in (receiver, counter, picker)}
    if set(views.values()) != {shelf}:
        sys.exit(f"go-live shared: the handhelds' views of {SHELF} differ from the hub's {shelf}: {views}")

    events = []
    cursor = ""
    while True:
        page = get(f"{hub}/v1/feed/events?limit=1000&cursor={cursor}")
        events.extend(page["events"])
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    ids = {e["event_id"] for e in events if e["event_type"] == ADJUSTED
           and e["payload"]["task_id"] == task and e["payload"]["sku"] == TOWEL_SKU}
    corrections = [c for c in get(f"{hub}/v1/admin/counts/reconciled")
                   if c["movement"]["location"] == SHELF and c["movement"]["sku"] == TOWEL_SKU]
    ids |= {c["event_id"] for c in corrections}
    documents = [row["reference"] for model in ("stock.shipment.internal", "stock.shipment.in")
                 for row in tryton.search_read(model, [["reference", "like", "dockhand:%"]], ["reference"])
                 if row["reference"].split(":")[1] in ids]
    booked = sum(c["movement"]["delta"] for c in corrections)
    print(f"go-live shared: opening {opening} towels at {SHELF}; the receiver put 48 away offline, "
          f"the counter found {found} and adjusted {found - opening:+d}, the hub booked {booked:+d}; "
          f"the picker saw {seen_by_picker} and picked 10 ({picked_here} there); {SHELF} holds {shelf} on the hub, in "
          f"Tryton and on all three handhelds; {len(hub_now)} buckets equal; Tryton documents of "
          f"the count: {len(documents)}")
    if found - opening + booked != 0 or documents or shelf != opening + 48 - picked_here:
        sys.exit("go-live shared: double adjustment or lost stock")


if __name__ == "__main__":
    main()
