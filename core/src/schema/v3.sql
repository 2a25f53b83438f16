-- dockhand device database, schema version 3: sync with the hub.
-- Kept verbatim forever, like v1.sql.

-- One row: where the device is in its conversation with the hub. The changes cursor is written in
-- the same transaction as the page it ends, so a crash between pages resumes after the last one.
CREATE TABLE sync_state (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    changes_cursor   TEXT,
    last_success_at  TEXT,
    last_error       TEXT,
    last_error_at    TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);

-- Customer returns announced by the ERP (RMAs), as the hub sends them. A return received at the
-- bench with the same id must hold only items on its RMA; once received it is no longer open.
CREATE TABLE expected_returns (
    id         TEXT PRIMARY KEY CHECK (id <> ''),
    reference  TEXT NOT NULL,
    customer   TEXT NOT NULL,
    lines      TEXT NOT NULL
) WITHOUT ROWID;
