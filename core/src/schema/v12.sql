-- dockhand device database, schema version 12: handling units. Kept verbatim forever, like v1.sql.
--
-- A tote goods are picked into (registered by the first pick into it, for that pick's order), a
-- carton or a pallet built for an order with the SSCC minted for it. `parent` is the pallet a
-- carton is on (''), `order_ref` the order ('' for a pallet of several orders). What a unit holds
-- is in `balances` under its lpn; `staging_id` is where it was built (a tote: where the pick that
-- registered it went), so an order's goods are told apart per staging place.
CREATE TABLE handling_units (
    lpn          TEXT PRIMARY KEY CHECK (lpn <> ''),
    kind         TEXT NOT NULL CHECK (kind = 'tote' OR kind = 'carton' OR kind = 'pallet'),
    order_ref    TEXT NOT NULL,
    parent       TEXT NOT NULL DEFAULT '',
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    staging_id   INTEGER NOT NULL REFERENCES locations (id),
    status       TEXT NOT NULL CHECK (status = 'open' OR status = 'loaded' OR status = 'shipped'),
    created_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX handling_units_by_parent ON handling_units (parent) WHERE parent <> '';
-- What left inventory on an order's plates is read by plate.
CREATE INDEX ledger_by_lpn ON ledger (lpn) WHERE lpn <> '';
