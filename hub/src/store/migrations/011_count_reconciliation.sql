-- Counts reconciled at the hub (2026-12). A count is an observation: what was on the shelf when
-- the line was counted. The hub books the difference between it and its own stock as of that
-- moment (every device's moves, late ones included), so it keeps each countable move with its time
-- on the hub's clock (the device's time less its recorded skew) and each count line it observed.
-- Stock in transit is not counted and not kept here. The stock of before is one move at the start
-- of time.
CREATE TABLE stock_moves (
    id         {serial},
    site       TEXT NOT NULL,
    location   TEXT NOT NULL,
    sku        TEXT NOT NULL,
    lot        TEXT NOT NULL,
    status     TEXT NOT NULL,
    at         TEXT NOT NULL,
    delta      {int} NOT NULL,
    event_id   TEXT NOT NULL,
    -- The count line an adjustment belongs to (JSON [task, round, location, sku, lot]), or ''.
    count_key  TEXT NOT NULL
);
CREATE INDEX stock_moves_of_family ON stock_moves (site, location, sku, lot, at);
CREATE INDEX stock_moves_of_count ON stock_moves (site, count_key) WHERE count_key <> '';
INSERT INTO stock_moves (site, location, sku, lot, status, at, delta, event_id, count_key)
    SELECT site, location, sku, lot, status, '', qty, '', '' FROM stock
    WHERE qty <> 0 AND status <> 'in_transit';
-- A count is an observation of the shelf only from a handheld that works on the site's stock:
-- one that never pulled it (a station on stock of its own) counts against its own work, and its
-- adjustment is taken as it is.
ALTER TABLE devices ADD COLUMN stock_pulled_at TEXT;
-- When a device last pulled changes: it pushes what it has first, so a count before that moment
-- has all of this device's earlier moves.
ALTER TABLE devices ADD COLUMN synced_at TEXT;
CREATE TABLE count_observations (
    id          {serial},
    site        TEXT NOT NULL,
    location    TEXT NOT NULL,
    sku         TEXT NOT NULL,
    lot         TEXT NOT NULL,
    count_key   TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    round       {int} NOT NULL,
    at          TEXT NOT NULL,
    observed    {int} NOT NULL,
    -- 0 while a supervisor's approval is awaited (the round is not yet the stock's).
    settled     {int} NOT NULL,
    -- 1 while the counting handheld's own adjustment of the line has not arrived.
    waiting     {int} NOT NULL,
    event_id    TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    -- The ERP gets a line's net adjustment once every device active at the site has synced past
    -- it, or a supervisor released it: 'held' until then, 'released' after.
    erp_state    TEXT NOT NULL DEFAULT 'held',
    released_by  TEXT,
    released_at  TEXT,
    UNIQUE (site, count_key)
);
CREATE INDEX count_observations_held ON count_observations (site, at) WHERE erp_state = 'held';
-- The ERP's feed carries events the hub made itself too (a count's reconciled net): such a row
-- has no device event, but its own envelope and time.
CREATE TABLE feed_entries (
    feed_seq   {serial},
    event_row  {int} UNIQUE REFERENCES events (id),
    site       TEXT NOT NULL,
    envelope   TEXT,
    made_at    TEXT
);
INSERT INTO feed_entries (feed_seq, event_row, site)
    SELECT feed_seq, event_row, site FROM feed ORDER BY feed_seq;
DROP TABLE feed;
ALTER TABLE feed_entries RENAME TO feed;
CREATE INDEX feed_of_site ON feed (site, feed_seq);
{reseed_feed}
CREATE INDEX count_observations_of_family ON count_observations (site, location, sku, lot, at);
CREATE INDEX count_observations_of_round ON count_observations (site, task_id, round);
