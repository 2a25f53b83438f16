-- dockhand hub schema for both backends. Idempotent: run on every start. The backend replaces
-- {serial} (an auto-numbered primary key), {int} (a 64-bit integer) and {without_rowid}.
CREATE TABLE IF NOT EXISTS devices (
    device_id       TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    registered_at   TEXT NOT NULL,
    contiguous_seq  {int} NOT NULL DEFAULT 0,
    last_hash       TEXT NOT NULL DEFAULT '',
    last_seen       TEXT
);
-- Tokens are stored as their SHA-256: a copy of this file issues no device's token.
CREATE TABLE IF NOT EXISTS tokens (
    token_hash  TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices (device_id),
    expires_at  TEXT NOT NULL
);
-- Every event received, once, with its outcome; a rejected event keeps its place in the chain.
CREATE TABLE IF NOT EXISTS events (
    id           {serial},
    event_id     TEXT NOT NULL UNIQUE,
    device_id    TEXT NOT NULL REFERENCES devices (device_id),
    seq          {int} NOT NULL,
    event_type   TEXT NOT NULL,
    hash         TEXT NOT NULL,
    envelope     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('accepted', 'held', 'rejected')),
    code         TEXT,
    reason       TEXT,
    received_at  TEXT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX IF NOT EXISTS events_rejected ON events (id) WHERE status = 'rejected';
CREATE INDEX IF NOT EXISTS events_held ON events (device_id, seq) WHERE status = 'held';
-- Accepted events in the order the hub accepted them: the ERP feed.
CREATE TABLE IF NOT EXISTS feed (
    feed_seq   {serial},
    event_row  {int} NOT NULL UNIQUE REFERENCES events (id)
);
-- The central stock view: the sum of the movements of accepted events.
CREATE TABLE IF NOT EXISTS stock (
    location  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    lot       TEXT NOT NULL,
    status    TEXT NOT NULL,
    qty       {int} NOT NULL,
    PRIMARY KEY (location, sku, lot, status)
) {without_rowid};
-- Master data and tasks as last imported (canonical JSON), and every change in order.
CREATE TABLE IF NOT EXISTS master (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    data  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) {without_rowid};
CREATE TABLE IF NOT EXISTS changes (
    change_seq  {serial},
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    data        TEXT NOT NULL
);
-- ERP connectors: what each did with every accepted event it took from the feed (its cursor is
-- erp_state.posted_through, migration 017), and the last failure a retry is working on.
CREATE TABLE IF NOT EXISTS erp_posts (
    erp         TEXT NOT NULL,
    feed_seq    {int} NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('posted', 'failed')),
    documents   TEXT NOT NULL DEFAULT '',
    code        TEXT,
    message     TEXT,
    at          TEXT NOT NULL,
    PRIMARY KEY (erp, feed_seq)
) {without_rowid};
-- Which hub instance posts to each ERP: hub instances may share a PostgreSQL database, and two
-- posting the same feed would post twice. The holder renews its lease once half of it has passed.
CREATE TABLE IF NOT EXISTS erp_leases (
    erp     TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erp_state (
    erp            TEXT PRIMARY KEY,
    last_error     TEXT,
    last_error_at  TEXT,
    updated_at     TEXT NOT NULL,
    -- Where the pull of master data and documents from the ERP stands (connector-defined text).
    pull_cursor    TEXT,
    pulled_at      TEXT
);
-- The migrations applied on top of this file (hub/src/store/migrations/NNN_*.sql), each once.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     {int} PRIMARY KEY,
    applied_at  TEXT NOT NULL
);
