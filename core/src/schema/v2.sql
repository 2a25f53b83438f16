-- dockhand device database, schema version 2: picking, cycle counting, returns, corrections.
-- Kept verbatim forever, like v1.sql.

-- ---- picking -------------------------------------------------------------------------------------
CREATE TABLE pick_tasks (
    id            TEXT PRIMARY KEY CHECK (id <> ''),
    order_ref     TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source = 'local' OR source = 'hub'),
    status        TEXT NOT NULL CHECK (status = 'open' OR status = 'in_progress' OR status = 'done'
                                       OR status = 'cancelled'),
    staging_id    INTEGER NOT NULL REFERENCES locations (id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT
) WITHOUT ROWID;

-- What was ordered, in base units.
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

-- The pick list: where each line is picked, in walk order. Each open allocation holds a
-- reservation whose reference is `pick:<allocation id>`.
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

-- ---- cycle counting ------------------------------------------------------------------------------
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

-- System quantity per (item, location, lot) when the count started.
CREATE TABLE count_snapshots (
    task_id      TEXT NOT NULL REFERENCES count_tasks (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    lot          TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    PRIMARY KEY (task_id, item_id, location_id, lot)
) WITHOUT ROWID;

-- What each round counted, with the system quantity it is compared with.
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

-- ---- returns -------------------------------------------------------------------------------------
CREATE TABLE returns (
    id           TEXT PRIMARY KEY CHECK (id <> ''),
    reference    TEXT NOT NULL,
    customer     TEXT NOT NULL,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    received_at  TEXT NOT NULL
) WITHOUT ROWID;

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

-- ---- corrections ---------------------------------------------------------------------------------
-- One row per voided command: a command is voided at most once, and a void is never voided.
CREATE TABLE voids (
    voided_op_id  TEXT PRIMARY KEY,
    void_op_id    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    voided_at     TEXT NOT NULL
) WITHOUT ROWID;
