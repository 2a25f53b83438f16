#!/usr/bin/env python3
"""Seeds a Tryton 8.2 database ("wms") with dockhand's demo warehouse data over JSON-RPC.

Standard library only (Python 3.11). Start a server first with scripts/tryton-up.sh, then:

    python3 scripts/tryton_seed.py [--url http://127.0.0.1:8000] [--db wms] seed
    python3 scripts/tryton_seed.py call model.stock.location.search_read \
        '[[["type","=","warehouse"]],0,null,null,["code"]]'

`seed` creates (searching first, so running it twice changes nothing): the company (USD), a
supplier and a customer party with addresses, dockhand's sample bins under the warehouse
storage location and its QA/returns/damaged areas under the warehouse, the sample warehouse's products (TOWEL-2P, COFFEE-500 and
MILK-1L and VITC-60 with lots required, DRILL-X1) with EAN identifiers, purchase order + supplier shipment "ASN-7001" (draft; 96 TOWEL-2P,
24 COFFEE-500), a confirmed sale "SO-7001" of 30 TOWEL-2P with its customer shipment and a
customer return "RMA-7001" (draft; 2 TOWEL-2P). It prints a JSON summary of the ids.
`call` posts one method (the context is appended) and prints the result.
Findings behind the calls: scripts/TRYTON-NOTES.md and docs/erp.md.
"""
import argparse
import base64
import datetime as dt
import decimal
import json
import sys
import urllib.error
import urllib.request


# ---------------------------------------------------------------------------------------------
# JSON-RPC client


def _encode(value):
    if isinstance(value, decimal.Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"__class__": "datetime", "year": value.year, "month": value.month,
                "day": value.day, "hour": value.hour, "minute": value.minute,
                "second": value.second, "microsecond": value.microsecond}
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month,
                "day": value.day}
    if isinstance(value, (bytes, bytearray)):
        return {"__class__": "bytes", "base64": base64.b64encode(value).decode()}
    raise TypeError(f"cannot encode {type(value).__name__}")


def _decode(obj):
    cls = obj.get("__class__")
    if cls == "Decimal":
        return decimal.Decimal(obj["decimal"])
    if cls == "datetime":
        return dt.datetime(obj["year"], obj["month"], obj["day"], obj.get("hour", 0),
                           obj.get("minute", 0), obj.get("second", 0),
                           obj.get("microsecond", 0))
    if cls == "date":
        return dt.date(obj["year"], obj["month"], obj["day"])
    if cls == "timedelta":
        return dt.timedelta(seconds=obj["seconds"])
    if cls == "bytes":
        return base64.b64decode(obj["base64"])
    return obj


class RpcError(Exception):
    """An error answer: kind is e.g. "UserError" or "UserWarning", args the error's list."""

    def __init__(self, kind, args, status=200, body=None):
        super().__init__(f"{kind}: {args!r}" if body is None else f"HTTP {status}: {body[:200]}")
        self.kind, self.args_, self.status, self.body = kind, args, status, body


class Client:
    def __init__(self, url="http://127.0.0.1:8000", db="wms", user="admin",
                 password="admin123", ack_warnings=True):
        self.url, self.db, self.user, self.password = url.rstrip("/"), db, user, password
        self.ack_warnings = ack_warnings
        self.session = None
        self.uid = None
        self.context = {}
        self._id = 0

    def post(self, method, params, path=None, auth=True):
        """One raw request; returns the result or raises RpcError."""
        self._id += 1
        body = json.dumps({"id": self._id, "method": method, "params": params},
                          default=_encode).encode()
        headers = {"Content-Type": "application/json"}
        if auth and self.session:
            headers["Authorization"] = "Session " + base64.b64encode(
                self.session.encode()).decode()
        url = f"{self.url}/{self.db}/rpc/" if path is None else self.url + path
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                answer = json.loads(resp.read(), object_hook=_decode)
        except urllib.error.HTTPError as err:
            raise RpcError("HTTPError", [], err.code,
                           err.read().decode(errors="replace")) from None
        if answer.get("error") is not None:
            kind, *rest = answer["error"]
            raise RpcError(kind, rest[0] if rest else [])
        return answer["result"]

    def login(self):
        uid, token, _bus = self.post(
            "common.db.login", [self.user, {"password": self.password}], auth=False)
        self.session, self.uid = f"{self.user}:{uid}:{token}", uid
        self.reload_context()
        return uid

    def reload_context(self):
        prefs = self.post("model.res.user.get_preferences", [True, {}])
        self.context = {k: prefs[k] for k in ("company", "companies", "language")
                        if prefs.get(k) is not None}
        return self.context

    def call(self, method, *args, context=None):
        """Calls method with positional args and the (merged) context appended.

        A UserWarning is acknowledged (res.user.warning, always false) and the call retried."""
        ctx = dict(self.context, **(context or {}))
        for _ in range(10):
            try:
                return self.post(method, [*args, ctx])
            except RpcError as err:
                if err.kind != "UserWarning" or not self.ack_warnings:
                    raise
                name = err.args_[0]
                self.post("model.res.user.warning.create",
                          [[{"user": self.uid, "name": name, "always": False}], ctx])
        raise RuntimeError(f"{method}: too many warnings")

    def model(self, model, method, *args, context=None):
        return self.call(f"model.{model}.{method}", *args, context=context)

    def search_read(self, model, domain, fields, order=None, limit=None, context=None):
        return self.model(model, "search_read", domain, 0, limit, order, fields,
                          context=context)

    def find_one(self, model, domain, fields=("id",)):
        rows = self.search_read(model, domain, list(fields), limit=1)
        return rows[0] if rows else None


# ---------------------------------------------------------------------------------------------
# seed


D = decimal.Decimal
# dockhand's sample warehouse (core/src/sample.rs): storage bins and the pick face under the
# warehouse storage location (sales pick from them); quarantine, returns and damaged areas under
# the warehouse itself (not picked from). Docks map to the warehouse input, staging and shipping
# to its output (hub/src/erp/tryton).
BINS = ["A-01-01", "A-01-02", "A-01-03", "A-01-04", "A-01-05", "C-01-01", "C-01-02", "P-01-01"]
AREAS = ["QA-01", "RET-01", "DMG-01"]
PRODUCTS = [
    # code, name, ean, price, lot/expiry settings
    ("TOWEL-2P", "Towel, pack of 2", "4012345000030", D("12.50"), {}),
    ("COFFEE-500", "Coffee beans 500 g", "4012345000023", D("9.90"),
     {"lot_required": ["storage"], "expiration_state": "optional"}),
    # Expiry optional in Tryton: dockhand enforces it at receipt and passes it with the lot.
    ("MILK-1L", "Milk 1 l", "4012345000016", D("1.20"),
     {"lot_required": ["storage"], "expiration_state": "optional", "expiration_time": 10,
      "shelf_life_state": "optional", "shelf_life_time": 7}),
    ("DRILL-X1", "Cordless drill X1", "4012345000047", D("129.00"), {}),
    ("VITC-60", "Vitamin C 60 tablets", "4012345000054", D("12.99"),
     {"lot_required": ["storage"], "expiration_state": "optional"}),
]
COMPANY_NAME = "Dockhand Demo Warehouse Co"
SUPPLIER_NAME = "Dockhand Demo Supplier"
CUSTOMER_NAME = "Dockhand Demo Customer"


def ensure_company(c):
    ids = c.model("company.company", "search", [], 0, None, None)
    if ids:
        c.reload_context()
        return ids[0]
    cur = c.find_one("currency.currency", [["code", "=", "USD"]])
    if cur:
        currency = cur["id"]
    else:
        currency, = c.model("currency.currency", "create", [{
            "name": "U.S. Dollar", "code": "USD", "symbol": "$", "rounding": D("0.01"),
            "rates": [["create", [{"date": dt.date(1, 1, 1), "rate": D("1")}]]]}])
    party = ensure_party(c, COMPANY_NAME, address=False)
    sid, _start, _end = c.call("wizard.company.company.config.create")
    c.call("wizard.company.company.config.execute", sid, {}, "company")
    c.call("wizard.company.company.config.execute", sid,
           {"company": {"party": party, "currency": currency}}, "add")
    c.call("wizard.company.company.config.delete", sid)
    c.reload_context()
    return c.context["company"]


def ensure_party(c, name, address=True):
    row = c.find_one("party.party", [["name", "=", name]])
    if row:
        return row["id"]
    vals = {"name": name}
    if address:
        vals["addresses"] = [["create", [{
            "street": "1 Dock Street", "postal_code": "10001", "city": "New York"}]]]
    pid, = c.model("party.party", "create", [vals])
    return pid


def address_of(c, party):
    return c.search_read("party.address", [["party", "=", party]], ["id"], limit=1)[0]["id"]


def warehouse_locations(c):
    wh, = c.search_read("stock.location", [["type", "=", "warehouse"]],
                        ["code", "input_location", "output_location", "storage_location",
                         "picking_location", "lost_found_location"], order=[["id", "ASC"]],
                        limit=1)
    loc = {"warehouse": wh["id"], "input": wh["input_location"],
           "output": wh["output_location"], "storage": wh["storage_location"],
           "picking": wh["picking_location"], "lost_found": wh["lost_found_location"]}
    for key, typ in (("supplier", "supplier"), ("customer", "customer")):
        loc[key] = c.search_read("stock.location", [["type", "=", typ]], ["id"],
                                 order=[["id", "ASC"]], limit=1)[0]["id"]
    return loc


def ensure_bins(c, storage, warehouse):
    bins = {}
    for codes, parent, label in ((BINS, storage, "Bin"), (AREAS, warehouse, "Area")):
        for code in codes:
            row = c.find_one("stock.location", [["code", "=", code]])
            if row:
                bins[code] = row["id"]
            else:
                bins[code], = c.model("stock.location", "create", [{
                    "name": f"{label} {code}", "code": code, "type": "storage", "parent": parent}])
    return bins


def ensure_products(c):
    unit = c.search_read("product.uom", [["name", "=", "Unit"]], ["id"], limit=1)[0]["id"]
    products = {}
    for code, name, ean, price, extra in PRODUCTS:
        row = c.find_one("product.product", [["code", "=", code]], ["id", "template"])
        if not row:
            tid, = c.model("product.template", "create", [{
                "name": name, "type": "goods", "default_uom": unit, "list_price": price,
                "purchasable": True, "purchase_uom": unit, "salable": True, "sale_uom": unit,
                **extra,
                "products": [["create", [{
                    "suffix_code": code, "cost_price": (price * D("0.6")).quantize(D("0.01")),
                    "identifiers": [["create", [{"type": "ean", "code": ean}]]]}]]]}])
            row = c.find_one("product.product", [["template", "=", tid]], ["id", "template"])
        products[code] = {"id": row["id"], "template": row["template"], "ean": ean,
                          "unit": unit, "price": price}
    return products


def ensure_supplier_shipment(c, loc, supplier, products):
    """Purchase order "ASN-7001" (quoted, confirmed) and its moves in a draft stock.shipment.in."""
    ref = "ASN-7001"
    ship = c.find_one("stock.shipment.in", [["reference", "=", ref]], ["id", "state"])
    purchase = c.find_one("purchase.purchase", [["reference", "=", ref]], ["id", "state"])
    if not purchase:
        addr = address_of(c, supplier)
        pid, = c.model("purchase.purchase", "create", [{
            "party": supplier, "invoice_address": addr, "reference": ref,
            "warehouse": loc["warehouse"], "invoice_method": "manual",
            "lines": [["create", [
                {"product": products[code]["id"], "quantity": qty,
                 "unit": products[code]["unit"], "unit_price": (products[code]["price"] * D("0.6")).quantize(D("0.01")),
                 "description": code}
                for code, qty in (("TOWEL-2P", 96), ("COFFEE-500", 24))]]]}])
        c.model("purchase.purchase", "quote", [pid])
        c.model("purchase.purchase", "confirm", [pid])
        purchase = {"id": pid}
    if not ship:
        moves = c.search_read("stock.move", [["purchase", "=", purchase["id"]],
                                             ["shipment", "=", None]], ["id"])
        sid, = c.model("stock.shipment.in", "create", [{
            "supplier": supplier, "reference": ref, "warehouse": loc["warehouse"],
            "warehouse_input": loc["input"], "warehouse_storage": loc["storage"],
            "incoming_moves": [["add", [m["id"] for m in moves]]]}])
        ship = {"id": sid}
    ship = c.model("stock.shipment.in", "read", [ship["id"]], ["state", "incoming_moves"])[0]
    return {"purchase": purchase["id"], "id": ship["id"], "state": ship["state"],
            "incoming_moves": ship["incoming_moves"]}


def ensure_sale(c, loc, customer, products):
    """Sale "SO-7001" of 30 TOWEL-2P: quote + confirm; confirm processes it (no queue worker),
    which creates the stock.shipment.out (state "waiting")."""
    ref = "SO-7001"
    sale = c.find_one("sale.sale", [["reference", "=", ref]], ["id"])
    if not sale:
        addr = address_of(c, customer)
        sid, = c.model("sale.sale", "create", [{
            "party": customer, "invoice_address": addr, "shipment_address": addr,
            "reference": ref, "warehouse": loc["warehouse"], "invoice_method": "manual",
            "shipment_method": "order",
            "lines": [["create", [{
                "product": products["TOWEL-2P"]["id"], "quantity": 30,
                "unit": products["TOWEL-2P"]["unit"], "unit_price": products["TOWEL-2P"]["price"],
                "description": "TOWEL-2P"}]]]}])
        c.model("sale.sale", "quote", [sid])
        c.model("sale.sale", "confirm", [sid])
        sale = {"id": sid}
    sale = c.model("sale.sale", "read", [sale["id"]], ["state", "number", "shipments"])[0]
    shipments = c.model("stock.shipment.out", "read", sale["shipments"], ["state"]) \
        if sale["shipments"] else []
    return {"id": sale["id"], "number": sale["number"], "state": sale["state"],
            "shipments": [{"id": s["id"], "state": s["state"]} for s in shipments]}


def ensure_return(c, loc, customer, products):
    ref = "RMA-7001"
    ret = c.find_one("stock.shipment.out.return", [["reference", "=", ref]], ["id"])
    if not ret:
        rid, = c.model("stock.shipment.out.return", "create", [{
            "customer": customer, "contact_address": address_of(c, customer),
            "reference": ref, "warehouse": loc["warehouse"],
            "warehouse_input": loc["input"], "warehouse_storage": loc["storage"],
            "incoming_moves": [["create", [{
                "product": products["TOWEL-2P"]["id"], "unit": products["TOWEL-2P"]["unit"],
                "quantity": 2, "from_location": loc["customer"], "to_location": loc["input"],
                "unit_price": products["TOWEL-2P"]["price"],
                "currency": currency_of_company(c)}]]]}])
        ret = {"id": rid}
    ret = c.model("stock.shipment.out.return", "read", [ret["id"]], ["state"])[0]
    return {"id": ret["id"], "state": ret["state"]}


def currency_of_company(c):
    return c.model("company.company", "read", [c.context["company"]], ["currency"])[0][
        "currency"]


def seed(c):
    company = ensure_company(c)
    supplier = ensure_party(c, SUPPLIER_NAME)
    customer = ensure_party(c, CUSTOMER_NAME)
    loc = warehouse_locations(c)
    loc["bins"] = ensure_bins(c, loc["storage"], loc["warehouse"])
    products = ensure_products(c)
    summary = {
        "company": company,
        "currency": currency_of_company(c),
        "parties": {"company": c.model("company.company", "read", [company], ["party"])[0][
            "party"], "supplier": supplier, "customer": customer},
        "locations": loc,
        "products": {code: {"id": p["id"], "template": p["template"], "ean": p["ean"]}
                     for code, p in products.items()},
        "uom_unit": products["TOWEL-2P"]["unit"],
    }
    summary["shipment_in"] = ensure_supplier_shipment(c, loc, supplier, products)
    summary["sale"] = ensure_sale(c, loc, customer, products)
    summary["shipment_out_return"] = ensure_return(c, loc, customer, products)
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--db", default="wms")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default="admin123")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("seed", help="create the demo data (idempotent) and print the ids")
    cp = sub.add_parser("call", help="call one method; the context is appended")
    cp.add_argument("method")
    cp.add_argument("params", nargs="?", default="[]", help="JSON list of positional params")
    args = ap.parse_args(argv)
    c = Client(args.url, args.db, args.user, args.password)
    try:
        c.login()
        if args.cmd == "seed":
            out = seed(c)
        else:
            out = c.call(args.method, *json.loads(args.params, object_hook=_decode))
    except RpcError as err:
        print(json.dumps({"error": err.kind, "args": err.args_, "status": err.status,
                          "body": err.body}, default=str), file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
