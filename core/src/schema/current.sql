-- dockhand device database: the whole schema of the current version (PRAGMA user_version = 15),
-- one table at a time with its indexes and triggers. A new database is created from this file;
-- an older one is brought here by the migrations v1.sql .. v15.sql, which stay as they were
-- written. core/tests/store.rs checks that every older version migrated equals a database made
-- from this file, rows included. What each column means: the comments of the migration that
-- added it.

-- What this handheld knows to be on the shelves: the hub's stock as last pulled (hub_stock) plus
-- this device's own movements the hub had not applied then; below zero where the hub's is.
-- (Quoted: version 7 rebuilt the table under another name and renamed it.)
CREATE TABLE "balances" (
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

CREATE INDEX balances_by_location ON balances (location_id);
-- What a tote, carton or pallet holds and where it is (v15).
CREATE INDEX balances_by_lpn ON balances (lpn) WHERE lpn <> '';


CREATE TABLE barcodes (
    code      TEXT PRIMARY KEY CHECK (code <> ''),
    item_id   INTEGER NOT NULL REFERENCES items (id),
    unit      TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity >= 1)
) WITHOUT ROWID;

CREATE INDEX barcodes_by_item ON barcodes (item_id);


CREATE TABLE count_results (
    task_id      TEXT NOT NULL REFERENCES count_tasks (id),
    round        INTEGER NOT NULL CHECK (round >= 1),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    expected     INTEGER NOT NULL,
    counted      INTEGER NOT NULL CHECK (counted >= 0),
    unexpected   INTEGER NOT NULL CHECK (unexpected IN (0, 1)),
    counter      TEXT NOT NULL,
    counted_at   TEXT NOT NULL,
    -- Serial numbers scanned (JSON array), so an adjustment removes the ones not found.
    serials      TEXT NOT NULL DEFAULT '[]',
    adjusted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, round, item_id, location_id, lot)
) WITHOUT ROWID;


CREATE TABLE count_snapshots (
    task_id      TEXT NOT NULL REFERENCES count_tasks (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    PRIMARY KEY (task_id, item_id, location_id, lot)
) WITHOUT ROWID;


CREATE TABLE count_tasks (
    id                TEXT PRIMARY KEY CHECK (id <> ''),
    location_id       INTEGER REFERENCES locations (id),
    item_id           INTEGER REFERENCES items (id),
    source            TEXT NOT NULL CHECK (source = 'local' OR source = 'hub' OR source = 'short_pick'
                                           OR source = 'risk'),
    reason            TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status = 'open' OR status = 'counting' OR status = 'recount'
                                           OR status = 'approval' OR status = 'done'
                                           OR status = 'cancelled'),
    -- Ledger rows with id > start_mark happened after the count started.
    start_mark        INTEGER,
    round             INTEGER NOT NULL CHECK (round >= 0),
    first_counter     TEXT,
    created_at        TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT,
    CHECK (location_id IS NOT NULL OR item_id IS NOT NULL)
) WITHOUT ROWID;


CREATE TABLE credentials (
    operator_id TEXT PRIMARY KEY REFERENCES operators (id),
    badge       TEXT NOT NULL UNIQUE CHECK (length(badge) BETWEEN 1 AND 64),
    pin_hash    TEXT NOT NULL CHECK (pin_hash LIKE '$argon2id$%')
);
CREATE INDEX count_tasks_by_location ON count_tasks (location_id);


CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL CHECK (device_id <> ''),
    created_at  TEXT NOT NULL
);


CREATE TABLE device_key (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    secret_key  BLOB CHECK (secret_key IS NULL OR length(secret_key) = 32),
    public_key  TEXT NOT NULL CHECK (length(public_key) = 64),
    created_at  TEXT NOT NULL
);


-- What a person at the hub made of this device's refused events; a settled one leaves the list.
CREATE TABLE exception_settlements (
    seq         INTEGER PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state = 'resolved' OR state = 'dismissed'
                                     OR state = 'retried'),
    note        TEXT,
    settled_by  TEXT NOT NULL,
    settled_at  TEXT NOT NULL
);

CREATE TABLE expected_returns (
    id         TEXT PRIMARY KEY CHECK (id <> ''),
    reference  TEXT NOT NULL,
    customer   TEXT NOT NULL,
    lines      TEXT NOT NULL
) WITHOUT ROWID;


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

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;


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
, max_units INTEGER CHECK (max_units IS NULL OR max_units > 0), replenish_sku TEXT, replenish_min INTEGER, replenish_max INTEGER);

CREATE INDEX locations_for_putaway ON locations (kind, zone, status, pick_sequence);


CREATE TABLE lots (
    item_id  INTEGER NOT NULL REFERENCES items (id),
    lot      TEXT NOT NULL CHECK (lot <> ''),
    expiry   TEXT,
    PRIMARY KEY (item_id, lot)
) WITHOUT ROWID;


CREATE TABLE operations (
    op_id        TEXT PRIMARY KEY,
    command      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    result       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
) WITHOUT ROWID;


CREATE TABLE operators (
    id      TEXT PRIMARY KEY CHECK (id <> ''),
    name    TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    active  INTEGER NOT NULL CHECK (active IN (0, 1))
) WITHOUT ROWID;


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
, signature TEXT);

CREATE INDEX outbox_rejected ON outbox (seq) WHERE state = 'rejected';

CREATE TRIGGER outbox_envelope_immutable
BEFORE UPDATE OF seq, event_id, device_id, event_type, occurred_at, tz_offset, user_id,
                 schema_version, op_id, payload, prev_hash, hash ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox events are immutable'); END;

CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox events are never deleted'); END;

CREATE TRIGGER outbox_signature_once
BEFORE UPDATE OF signature ON outbox WHEN OLD.signature IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an event''s signature is never changed'); END;


CREATE TABLE outbox_cursor (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    first_pending  INTEGER NOT NULL CHECK (first_pending >= 1)
);

-- The one row, from the start.
INSERT INTO outbox_cursor (singleton, first_pending) VALUES (1, 1);


CREATE TABLE pick_allocations (
    id           INTEGER PRIMARY KEY,
    task_id      TEXT NOT NULL,
    line_no      INTEGER NOT NULL,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity >= 1),
    picked       INTEGER NOT NULL CHECK (picked >= 0),
    short        INTEGER NOT NULL CHECK (short >= 0),
    status       TEXT NOT NULL CHECK (status = 'open' OR status = 'done' OR status = 'released'),
    FOREIGN KEY (task_id, line_no) REFERENCES pick_lines (task_id, line_no)
);

CREATE INDEX pick_allocations_by_task ON pick_allocations (task_id, status);


CREATE TABLE pick_lines (
    task_id    TEXT NOT NULL REFERENCES pick_tasks (id),
    line_no    INTEGER NOT NULL CHECK (line_no >= 1),
    item_id    INTEGER NOT NULL REFERENCES items (id),
    lot        TEXT,
    quantity   INTEGER NOT NULL CHECK (quantity >= 1),
    picked     INTEGER NOT NULL CHECK (picked >= 0),
    short      INTEGER NOT NULL CHECK (short >= 0),
    PRIMARY KEY (task_id, line_no)
) WITHOUT ROWID;


CREATE TABLE pick_tasks (
    id            TEXT PRIMARY KEY CHECK (id <> ''),
    order_ref     TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source = 'local' OR source = 'hub'),
    status        TEXT NOT NULL CHECK (status = 'open' OR status = 'in_progress' OR status = 'done'
                                       OR status = 'cancelled'),
    staging_id    INTEGER NOT NULL REFERENCES locations (id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT
, ship_by TEXT) WITHOUT ROWID;


CREATE TABLE pin_failures (
    badge        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    locked_until TEXT
);
CREATE INDEX pick_tasks_by_order ON pick_tasks (order_ref);


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


-- Base units received on an expected receipt's line under a lot other than the one the line
-- names: the receiver is told at the scan, and closing reports each as a lot discrepancy.
CREATE TABLE receipt_other_lots (
    receipt_id TEXT NOT NULL,
    line_no    INTEGER NOT NULL,
    lot        TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (receipt_id, line_no, lot),
    FOREIGN KEY (receipt_id, line_no) REFERENCES receipt_lines (receipt_id, line_no)
) WITHOUT ROWID;

CREATE TABLE receipts (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    kind        TEXT NOT NULL CHECK (kind IN ('expected', 'blind')),
    reference   TEXT NOT NULL,
    supplier    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at  TEXT NOT NULL,
    closed_at   TEXT
) WITHOUT ROWID;


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

-- What is reserved per bucket (item, location, lot), kept by triggers on `reservations`: the
-- check of what is free at a pick face reads one row instead of summing every open reservation
-- there (1,309 virtual-machine steps with 500 open, issue 18).
CREATE TABLE reserved_totals (
    item_id      INTEGER NOT NULL,
    location_id  INTEGER NOT NULL,
    lot          TEXT NOT NULL,
    qty          INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (item_id, location_id, lot)
) WITHOUT ROWID;

CREATE TRIGGER reserved_totals_add AFTER INSERT ON reservations
BEGIN
    INSERT INTO reserved_totals (item_id, location_id, lot, qty)
    VALUES (NEW.item_id, NEW.location_id, NEW.lot, NEW.qty)
    ON CONFLICT (item_id, location_id, lot) DO UPDATE SET qty = qty + excluded.qty;
END;

CREATE TRIGGER reserved_totals_take AFTER DELETE ON reservations
BEGIN
    DELETE FROM reserved_totals WHERE item_id = OLD.item_id AND location_id = OLD.location_id
        AND lot = OLD.lot AND qty <= OLD.qty;
    UPDATE reserved_totals SET qty = qty - OLD.qty WHERE item_id = OLD.item_id
        AND location_id = OLD.location_id AND lot = OLD.lot;
END;

CREATE TRIGGER reserved_totals_change AFTER UPDATE OF item_id, location_id, lot, qty ON reservations
BEGIN
    DELETE FROM reserved_totals WHERE item_id = OLD.item_id AND location_id = OLD.location_id
        AND lot = OLD.lot AND qty <= OLD.qty;
    UPDATE reserved_totals SET qty = qty - OLD.qty WHERE item_id = OLD.item_id
        AND location_id = OLD.location_id AND lot = OLD.lot;
    INSERT INTO reserved_totals (item_id, location_id, lot, qty)
    VALUES (NEW.item_id, NEW.location_id, NEW.lot, NEW.qty)
    ON CONFLICT (item_id, location_id, lot) DO UPDATE SET qty = qty + excluded.qty;
END;


CREATE TABLE return_lines (
    return_id     TEXT NOT NULL REFERENCES returns (id),
    line_no       INTEGER NOT NULL CHECK (line_no >= 1),
    item_id       INTEGER NOT NULL REFERENCES items (id),
    lot           TEXT NOT NULL,
    serial        TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity >= 1),
    outcome       TEXT CHECK (outcome IS NULL OR outcome = 'restock' OR outcome = 'quarantine'
                              OR outcome = 'damaged' OR outcome = 'scrap'
                              OR outcome = 'return_to_vendor'),
    reason_code   TEXT,
    note          TEXT,
    inspected_by  TEXT,
    inspected_at  TEXT,
    -- Minutes from receipt to available, for restocked lines.
    minutes_to_available INTEGER,
    PRIMARY KEY (return_id, line_no)
) WITHOUT ROWID;


CREATE TABLE returns (
    id           TEXT PRIMARY KEY CHECK (id <> ''),
    reference    TEXT NOT NULL,
    customer     TEXT NOT NULL,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    received_at  TEXT NOT NULL
) WITHOUT ROWID;


CREATE TABLE signed_in (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    operator_id  TEXT NOT NULL REFERENCES operators (id),
    badge        TEXT NOT NULL,
    signed_in_at TEXT NOT NULL
);


CREATE TABLE sync_state (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    changes_cursor   TEXT,
    last_success_at  TEXT,
    last_error       TEXT,
    last_error_at    TEXT
, stock_cursor TEXT, hub_applied_seq INTEGER NOT NULL DEFAULT 0);

-- The one row, from the start.
INSERT INTO sync_state (singleton) VALUES (1);

-- The hub's word on who holds each pick and count task and how far it is, as last pulled.
CREATE TABLE task_claims (
    kind       TEXT NOT NULL CHECK (kind = 'pick' OR kind = 'count'),
    task_id    TEXT NOT NULL,
    -- The device that holds it (NULL: nobody).
    device_id  TEXT,
    -- The hub's claim as JSON (dockhand_protocol::tasks::TaskClaim).
    claim      TEXT NOT NULL,
    PRIMARY KEY (kind, task_id)
) WITHOUT ROWID;


CREATE TABLE unit_conversions (
    item_id  INTEGER NOT NULL REFERENCES items (id),
    unit     TEXT NOT NULL CHECK (unit <> ''),
    factor   INTEGER NOT NULL CHECK (factor >= 1),
    PRIMARY KEY (item_id, unit)
) WITHOUT ROWID;


CREATE TABLE voids (
    voided_op_id  TEXT PRIMARY KEY,
    void_op_id    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    voided_at     TEXT NOT NULL
) WITHOUT ROWID;

-- What the device kept as its operator left it while the hub sent something else (a task or
-- receipt being worked here, an item's or location's settings its stock depends on): each note
-- told to the hub once (sent_at), where a supervisor settles it.
CREATE TABLE kept_local (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    what     TEXT NOT NULL,
    sent_at  TEXT
);
CREATE INDEX kept_local_unsent ON kept_local (id) WHERE sent_at IS NULL;

-- The SSCC serial references the hub gave this device: each block its own, `next` the first not
-- minted yet.
CREATE TABLE sscc_blocks (
    company_prefix  TEXT NOT NULL CHECK (length(company_prefix) BETWEEN 7 AND 10),
    extension       INTEGER NOT NULL CHECK (extension BETWEEN 0 AND 9),
    first_serial    INTEGER NOT NULL CHECK (first_serial >= 0),
    last_serial     INTEGER NOT NULL CHECK (last_serial >= first_serial),
    next            INTEGER NOT NULL CHECK (next >= first_serial AND next <= last_serial + 1),
    got_at          TEXT NOT NULL,
    PRIMARY KEY (company_prefix, extension, first_serial)
) WITHOUT ROWID;

-- Totes, cartons and pallets (schema v12): a tote registered by the first pick into it, for that
-- pick's order; a carton or pallet built for an order with its SSCC. `parent`: the pallet a carton
-- is on. What a unit holds is in `balances` under its lpn.
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
CREATE INDEX handling_units_by_order ON handling_units (order_ref);
-- What left inventory on an order's plates is read by plate.
CREATE INDEX ledger_by_lpn ON ledger (lpn) WHERE lpn <> '';


CREATE TABLE replenishment_tasks (
    id           TEXT PRIMARY KEY CHECK (id <> ''),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    moved        INTEGER NOT NULL DEFAULT 0 CHECK (moved >= 0),
    status       TEXT NOT NULL CHECK (status = 'open' OR status = 'done'),
    source       TEXT NOT NULL CHECK (source = 'local' OR source = 'hub'),
    created_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX replenishment_open_per_face
    ON replenishment_tasks (location_id, item_id) WHERE status = 'open';
