-- Sites (2026-12): a hub serves one or more warehouses. Every device registers for one site; the
-- hub of before becomes site `main`, with every device it had.
CREATE TABLE sites (
    site_id     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO sites (site_id, name, created_at) VALUES ('main', 'Main site', '2026-12-04T00:00:00.000Z');
ALTER TABLE devices ADD COLUMN site_id TEXT NOT NULL DEFAULT 'main';
