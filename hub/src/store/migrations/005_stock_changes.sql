-- Stock to the devices (2026-12): every bucket carries the number of its last change, from one
-- clock, so that devices pull the buckets changed since their last pull (empty ones included, at
-- quantity 0). The buckets already here are numbered in key order.
CREATE TABLE stock_numbered (
    location    TEXT NOT NULL,
    sku         TEXT NOT NULL,
    lot         TEXT NOT NULL,
    serial      TEXT NOT NULL,
    lpn         TEXT NOT NULL,
    status      TEXT NOT NULL,
    qty         {int} NOT NULL,
    change_seq  {int} NOT NULL,
    PRIMARY KEY (location, sku, lot, serial, lpn, status)
) {without_rowid};
INSERT INTO stock_numbered (location, sku, lot, serial, lpn, status, qty, change_seq)
    SELECT location, sku, lot, serial, lpn, status, qty,
           ROW_NUMBER() OVER (ORDER BY location, sku, lot, serial, lpn, status)
    FROM stock;
DROP TABLE stock;
ALTER TABLE stock_numbered RENAME TO stock;
CREATE UNIQUE INDEX stock_by_change ON stock (change_seq);
CREATE TABLE stock_clock (
    singleton  {int} PRIMARY KEY CHECK (singleton = 1),
    last       {int} NOT NULL
);
INSERT INTO stock_clock (singleton, last) SELECT 1, COALESCE(MAX(change_seq), 0) FROM stock;
