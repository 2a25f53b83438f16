-- Stock by whole bucket (2026-12): serial and licence plate join location, SKU, lot and status,
-- as on the devices, so that the hub's stock can be sent back to every handheld of the site.
-- Rows from before carry neither ('' for both): their events did not tell them apart here.
CREATE TABLE stock_buckets (
    location  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    lot       TEXT NOT NULL,
    serial    TEXT NOT NULL,
    lpn       TEXT NOT NULL,
    status    TEXT NOT NULL,
    qty       {int} NOT NULL,
    PRIMARY KEY (location, sku, lot, serial, lpn, status)
) {without_rowid};
INSERT INTO stock_buckets (location, sku, lot, serial, lpn, status, qty)
    SELECT location, sku, lot, '', '', status, qty FROM stock;
DROP TABLE stock;
ALTER TABLE stock_buckets RENAME TO stock;
