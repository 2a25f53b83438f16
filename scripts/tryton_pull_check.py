#!/usr/bin/env python3
"""ERP -> hub -> device: what Tryton holds reaches a handheld, and a change made in Tryton reaches
it on its next sync. Run by scripts/tryton-e2e.sh (needs the `dockhand` Python package, a hub
with the Tryton connector pulling every second, and the seeded Tryton):

    python3 scripts/tryton_pull_check.py --hub URL --tryton URL

1. A new handheld syncs: it has Tryton's supplier shipment ASN-7001 as a receipt to work, the
   sale's customer shipment as a pick task and RMA-7001 as an announced return.
2. In Tryton: TOWEL-2P is renamed, a bin A-02-01 is created, a new supplier shipment ASN-7002 is
   made. After the hub's next pull, the handheld's next sync has all three.
"""
import decimal
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_device import enrolled, hub_and_tryton, sync  # noqa: E402

import dockhand  # noqa: E402



def until(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"{what}: not within {timeout} s")
        time.sleep(0.2)


def main(argv=None):
    args, tryton = hub_and_tryton(argv)

    device, client = enrolled(args.hub, "pull check")
    report = sync(client)
    receipt = device.receipt("ASN-7001")
    lines = sorted((l.sku, l.expected) for l in receipt.lines)
    if lines != [("COFFEE-500", 24), ("TOWEL-2P", 96)]:
        sys.exit(f"ASN-7001 on the device: {lines}")
    picks = device.open_pick_tasks()  # records with their lines, in one call
    sale = [p for p in picks if p.order_ref == "SO-7001"]
    if not sale or [(l.sku, l.quantity) for l in sale[0].lines] != [("TOWEL-2P", 30)]:
        sys.exit(f"the sale's shipment is not a pick task on the device: {picks}")
    rma = device.expected_return("RMA-7001")
    if rma is None or [(l.sku, l.quantity) for l in rma.lines] != [("TOWEL-2P", 2)]:
        sys.exit(f"RMA-7001 on the device: {rma}")
    print(f"device pulled {report.pulled} changes: receipt ASN-7001 (2 lines), pick task "
          f"{sale[0].id} for SO-7001 (30 TOWEL-2P), return RMA-7001")

    # Changes made in Tryton.
    changed_at = time.monotonic()
    towel = tryton.find_one("product.product", [["code", "=", "TOWEL-2P"]], ["template"])
    tryton.model("product.template", "write", [towel["template"]], {"name": "Paper towels, 2-pack (ERP)"})
    storage = tryton.search_read("stock.location", [["type", "=", "warehouse"]], ["storage_location"])[0]["storage_location"]
    if not tryton.find_one("stock.location", [["code", "=", "A-02-01"]]):
        tryton.model("stock.location", "create", [{"name": "Bin A-02-01", "code": "A-02-01",
                                                   "type": "storage", "parent": storage}])
    if not tryton.find_one("stock.shipment.in", [["reference", "=", "ASN-7002"]]):
        wh = tryton.search_read("stock.location", [["type", "=", "warehouse"]], ["input_location", "storage_location"])[0]
        supplier = tryton.find_one("party.party", [["name", "=", "Dockhand Demo Supplier"]])["id"]
        sup = tryton.search_read("stock.location", [["type", "=", "supplier"]], ["id"], limit=1)[0]["id"]
        currency = tryton.search_read("currency.currency", [], ["id"], limit=1)[0]["id"]
        unit = tryton.search_read("product.uom", [["name", "=", "Unit"]], ["id"], limit=1)[0]["id"]
        tryton.model("stock.shipment.in", "create", [{
            "supplier": supplier, "reference": "ASN-7002", "warehouse": wh["id"],
            "warehouse_input": wh["input_location"], "warehouse_storage": wh["storage_location"],
            "incoming_moves": [["create", [{
                "product": towel["id"], "unit": unit, "quantity": 48, "from_location": sup,
                "to_location": wh["input_location"], "unit_price": decimal.Decimal("5"),
                "currency": currency}]]]}])

    def arrived():
        sync(client)
        try:
            name = device.item("TOWEL-2P").description
            device.location("A-02-01")
            receipt = device.receipt("ASN-7002")
        except dockhand.DockhandError:
            return None
        return name == "Paper towels, 2-pack (ERP)" and receipt.lines[0].expected == 48

    until("the changes made in Tryton on the device", arrived)
    print(f"changed in Tryton, on the device {time.monotonic() - changed_at:.1f} s later "
          "(renamed item, new bin A-02-01, new receipt ASN-7002 of 48)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
