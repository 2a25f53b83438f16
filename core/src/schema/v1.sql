-- dockhand device database, schema version 1.
-- Kept verbatim forever: later versions add migrations, never edit this file, so a database made by
-- version 1 can always be migrated and compared with a fresh one.

-- The device this file belongs to (one row).
CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL CHECK (device_id <> ''),
    created_at  TEXT NOT NULL
);

-- ---- master data (pulled from the hub; read-only for workflows) -----------------------------
CREATE TABLE items (
    id                   INTEGER PRIMARY KEY,
    sku                  TEXT NOT NULL UNIQUE CHECK (sku <> ''),
    description          TEXT NOT NULL,
    base_unit            TEXT NOT NULL CHECK (base_unit <> ''),
    tracking             TEXT NOT NULL CHECK (tracking IN ('none', 'lot', 'lot_expiry', 'serial')),
    min_shelf_life_days  INTEGER NOT NULL CHECK (min_shelf_life_days >= 0),
    inspection_required  INTEGER NOT NULL CHECK (inspection_required IN (0, 1)),
    abc_class            TEXT NOT NULL CHECK (abc_class IN ('A', 'B', 'C')),
    unit_value_cents     INTEGER NOT NULL CHECK (unit_value_cents >= 0),
    putaway_zone         TEXT
);

-- How many base units one of `unit` holds, per item (the base unit itself has factor 1).
CREATE TABLE unit_conversions (
    item_id  INTEGER NOT NULL REFERENCES items (id),
    unit     TEXT NOT NULL CHECK (unit <> ''),
    factor   INTEGER NOT NULL CHECK (factor >= 1),
    PRIMARY KEY (item_id, unit)
) WITHOUT ROWID;

-- A scanned code (GTIN, EAN, UPC, internal) means `quantity` of `unit` of an item.
CREATE TABLE barcodes (
    code      TEXT PRIMARY KEY CHECK (code <> ''),
    item_id   INTEGER NOT NULL REFERENCES items (id),
    unit      TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity >= 1)
) WITHOUT ROWID;
CREATE INDEX barcodes_by_item ON barcodes (item_id);

CREATE TABLE locations (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE CHECK (code <> ''),
    zone           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('dock', 'storage', 'pick_face', 'staging',
                                                 'quarantine', 'returns', 'damaged', 'shipping')),
    status         TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
    pickable       INTEGER NOT NULL CHECK (pickable IN (0, 1)),
    pick_sequence  INTEGER NOT NULL,
    check_string   TEXT NOT NULL CHECK (check_string <> '')
);
CREATE INDEX locations_for_putaway ON locations (kind, zone, status, pick_sequence);

CREATE TABLE operators (
    id      TEXT PRIMARY KEY CHECK (id <> ''),
    name    TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    active  INTEGER NOT NULL CHECK (active IN (0, 1))
) WITHOUT ROWID;

-- ---- inventory --------------------------------------------------------------------------------
-- Lots seen on this device and their expiry (NULL when the item does not track expiry).
CREATE TABLE lots (
    item_id  INTEGER NOT NULL REFERENCES items (id),
    lot      TEXT NOT NULL CHECK (lot <> ''),
    expiry   TEXT,
    PRIMARY KEY (item_id, lot)
) WITHOUT ROWID;

-- The truth: every change of stock, never updated or deleted. '' means "none" for lot, serial, lpn.
-- `movement_id` is the id of a movement's first leg; its other leg follows it directly.
CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY,
    movement_id  INTEGER NOT NULL,
    op_id        TEXT NOT NULL,
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    serial       TEXT NOT NULL,
    lpn          TEXT NOT NULL,
    -- OR rather than IN: SQLite builds a temporary table for an IN list on every insert.
    status       TEXT NOT NULL CHECK (status = 'received' OR status = 'available'
                                      OR status = 'in_transit' OR status = 'quarantined'
                                      OR status = 'damaged' OR status = 'return_pending'),
    delta        INTEGER NOT NULL CHECK (delta <> 0),
    reason       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;

-- The ledger's projection; a row disappears when its quantity reaches zero.
CREATE TABLE balances (
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    serial       TEXT NOT NULL,
    lpn          TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- typeof: SQLite turns an overflowing integer sum into a REAL; refuse it instead.
    qty          INTEGER NOT NULL CHECK (qty > 0 AND typeof(qty) = 'integer'),
    PRIMARY KEY (item_id, location_id, lot, serial, lpn, status)
) WITHOUT ROWID;
CREATE INDEX balances_by_location ON balances (location_id);

-- Allocations of available stock (pick task lines); available to promise = available - reserved.
CREATE TABLE reservations (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    qty          INTEGER NOT NULL CHECK (qty > 0),
    reference    TEXT NOT NULL CHECK (reference <> ''),
    op_id        TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX reservations_by_bucket ON reservations (item_id, location_id, lot);
CREATE INDEX reservations_by_reference ON reservations (reference);

-- ---- receiving ---------------------------------------------------------------------------------
CREATE TABLE receipts (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    kind        TEXT NOT NULL CHECK (kind IN ('expected', 'blind')),
    reference   TEXT NOT NULL,
    supplier    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at  TEXT NOT NULL,
    closed_at   TEXT
) WITHOUT ROWID;

CREATE TABLE receipt_lines (
    receipt_id    TEXT NOT NULL REFERENCES receipts (id),
    line_no       INTEGER NOT NULL CHECK (line_no >= 1),
    item_id       INTEGER NOT NULL REFERENCES items (id),
    expected_qty  INTEGER NOT NULL CHECK (expected_qty >= 0),
    received_qty  INTEGER NOT NULL CHECK (received_qty >= 0),
    lot           TEXT,
    sscc          TEXT,
    PRIMARY KEY (receipt_id, line_no)
) WITHOUT ROWID;

-- ---- outbox and idempotency ----------------------------------------------------------------------
-- Events in per-device order; `seq` is gap-free and `hash` chains each event to the one before.
-- Appending writes this table only (no index): a confirmed scan costs as few pages as possible.
-- Pending events are found from `outbox_cursor`, rejected ones through a partial index that a
-- pending row never enters. `event_id` is a UUID v7, unique by construction.
CREATE TABLE outbox (
    seq               INTEGER PRIMARY KEY CHECK (seq >= 1),
    event_id          TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    event_type        TEXT NOT NULL,
    occurred_at       TEXT NOT NULL,
    tz_offset         TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    schema_version    INTEGER NOT NULL,
    op_id             TEXT NOT NULL,
    payload           TEXT NOT NULL,
    prev_hash         TEXT NOT NULL,
    hash              TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state = 'pending' OR state = 'acknowledged'
                                           OR state = 'rejected'),
    reject_code       TEXT,
    reject_reason     TEXT,
    state_changed_at  TEXT
);
CREATE INDEX outbox_rejected ON outbox (seq) WHERE state = 'rejected';
-- Every event before `first_pending` has left the pending state.
CREATE TABLE outbox_cursor (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    first_pending  INTEGER NOT NULL CHECK (first_pending >= 1)
);
INSERT INTO outbox_cursor (singleton, first_pending) VALUES (1, 1);
CREATE TRIGGER outbox_envelope_immutable
BEFORE UPDATE OF seq, event_id, device_id, event_type, occurred_at, tz_offset, user_id,
                 schema_version, op_id, payload, prev_hash, hash ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox events are immutable'); END;
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox events are never deleted'); END;

-- Every committed command, by its client operation id: a replay returns `result` and writes nothing.
CREATE TABLE operations (
    op_id        TEXT PRIMARY KEY,
    command      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    result       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
) WITHOUT ROWID;
