-- Events of the hub's own (2026-12): stock that no device recorded, such as the opening balance
-- on the shelves at go-live, is recorded as an event here so that the hub's stock stays a sum of
-- events. These are never in the ERP's feed: they came from the ERP or from the shelves.
CREATE TABLE hub_events (
    id           {serial},
    event_id     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    origin       TEXT NOT NULL,
    -- What it came from, in words (a file name, a connector).
    source       TEXT NOT NULL,
    -- SHA-256 of the rows as given (as JSON): the same rows are not recorded twice.
    digest       TEXT NOT NULL UNIQUE,
    buckets      {int} NOT NULL,
    units        {int} NOT NULL,
    -- The rows it added, as JSON (from the ERP, those left out are not among them).
    body         TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
-- Lot expiry dates the hub knows (from opening balances), for devices sorting stock first-expiry
-- first-out.
CREATE TABLE lots (
    sku     TEXT NOT NULL,
    lot     TEXT NOT NULL,
    expiry  TEXT NOT NULL,
    PRIMARY KEY (sku, lot)
) {without_rowid};
