-- dockhand device database, schema version 7: the site's stock on every handheld. Kept verbatim
-- forever, like v1.sql.
--
-- `balances` becomes what this handheld knows to be on the shelves: the hub's stock as of the
-- last pull (`hub_stock`) plus this device's own movements the hub had not applied then (its
-- events after `sync_state.hub_applied_seq`). Before a first pull it is this device's own
-- ledger, as in version 6. A bucket may be below zero when the hub's is (two handhelds took the
-- same last units offline); the commands never take from such a bucket.
CREATE TABLE balances_v7 (
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    serial       TEXT NOT NULL,
    lpn          TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- typeof: SQLite turns an overflowing integer sum into a REAL; refuse it instead.
    qty          INTEGER NOT NULL CHECK (typeof(qty) = 'integer'),
    PRIMARY KEY (item_id, location_id, lot, serial, lpn, status)
) WITHOUT ROWID;
INSERT INTO balances_v7 SELECT item_id, location_id, lot, serial, lpn, status, qty FROM balances;
DROP TABLE balances;
ALTER TABLE balances_v7 RENAME TO balances;
CREATE INDEX balances_by_location ON balances (location_id);

-- The hub's stock of the site as last pulled, by the codes the hub names buckets with (a bucket
-- of an item this handheld does not know yet waits here until it does).
CREATE TABLE hub_stock (
    location  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    lot       TEXT NOT NULL,
    serial    TEXT NOT NULL,
    lpn       TEXT NOT NULL,
    status    TEXT NOT NULL,
    qty       INTEGER NOT NULL CHECK (qty <> 0),
    PRIMARY KEY (location, sku, lot, serial, lpn, status)
) WITHOUT ROWID;

-- Where the stock pull stands: the hub's cursor, and the seq of this device's events up to which
-- the hub's stock includes them.
ALTER TABLE sync_state ADD COLUMN stock_cursor TEXT;
ALTER TABLE sync_state ADD COLUMN hub_applied_seq INTEGER NOT NULL DEFAULT 0;
