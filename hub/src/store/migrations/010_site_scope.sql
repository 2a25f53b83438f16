-- What belongs to a site (2026-12): a hub serves several warehouses, and a location code, a task
-- or a bucket of one is not another's. Locations, expected receipts and returns, pick and count
-- tasks and the ERP's refusals are kept per site; items, units, barcodes, operators and badges are
-- shared by every site (`site` ''). The stock, its conflicts, the hub's own events and the ERP's
-- feed carry the site too. Everything of before belongs to site `main`.
CREATE TABLE master_sited (
    site  TEXT NOT NULL,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    data  TEXT NOT NULL,
    PRIMARY KEY (site, kind, key)
) {without_rowid};
INSERT INTO master_sited (site, kind, key, data)
    SELECT CASE WHEN kind IN ('location', 'expected_receipt', 'pick_task', 'count_task',
                              'expected_return', 'event_rejection') THEN 'main' ELSE '' END,
           kind, key, data
    FROM master;
DROP TABLE master;
ALTER TABLE master_sited RENAME TO master;
ALTER TABLE changes ADD COLUMN site TEXT NOT NULL DEFAULT '';
UPDATE changes SET site = 'main' WHERE kind IN ('location', 'expected_receipt', 'pick_task',
    'count_task', 'expected_return', 'event_rejection');
CREATE TABLE stock_sited (
    site        TEXT NOT NULL,
    location    TEXT NOT NULL,
    sku         TEXT NOT NULL,
    lot         TEXT NOT NULL,
    serial      TEXT NOT NULL,
    lpn         TEXT NOT NULL,
    status      TEXT NOT NULL,
    qty         {int} NOT NULL,
    change_seq  {int} NOT NULL,
    last_taker  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site, location, sku, lot, serial, lpn, status)
) {without_rowid};
INSERT INTO stock_sited (site, location, sku, lot, serial, lpn, status, qty, change_seq,
                         last_taker)
    SELECT 'main', location, sku, lot, serial, lpn, status, qty, change_seq, last_taker FROM stock;
DROP TABLE stock;
ALTER TABLE stock_sited RENAME TO stock;
CREATE UNIQUE INDEX stock_by_change ON stock (change_seq);
CREATE INDEX stock_of_site ON stock (site, change_seq);
ALTER TABLE conflicts ADD COLUMN site TEXT NOT NULL DEFAULT 'main';
ALTER TABLE feed ADD COLUMN site TEXT NOT NULL DEFAULT 'main';
CREATE INDEX feed_of_site ON feed (site, feed_seq);
-- The same rows loaded at two sites are two events: a digest is unique within its site.
CREATE TABLE hub_events_sited (
    id           {serial},
    event_id     TEXT NOT NULL UNIQUE,
    site         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    origin       TEXT NOT NULL,
    source       TEXT NOT NULL,
    digest       TEXT NOT NULL,
    buckets      {int} NOT NULL,
    units        {int} NOT NULL,
    body         TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    UNIQUE (site, digest)
);
INSERT INTO hub_events_sited (event_id, site, kind, origin, source, digest, buckets, units, body,
                              recorded_at)
    SELECT event_id, 'main', kind, origin, source, digest, buckets, units, body, recorded_at
    FROM hub_events ORDER BY id;
DROP TABLE hub_events;
ALTER TABLE hub_events_sited RENAME TO hub_events;
