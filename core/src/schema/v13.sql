-- dockhand device database, schema version 13: replenishment of pick faces. Kept verbatim forever,
-- like v1.sql.
--
-- A pick face may be kept stocked with one item (`replenish_sku`) between a minimum and a maximum
-- in base units (master data, `Location.replenish`). A pick that leaves fewer than the minimum
-- there raises a task to bring the face back up to the maximum from reserve storage; `moved` is
-- what moves worked against the task brought so far, and the task is done once that reaches
-- `quantity`. One open task per face and item: a second pick below the minimum raises nothing
-- new. `source` is 'local' (raised on this device) or 'hub' (raised on another, sent by the hub).
ALTER TABLE locations ADD COLUMN replenish_sku TEXT;
ALTER TABLE locations ADD COLUMN replenish_min INTEGER;
ALTER TABLE locations ADD COLUMN replenish_max INTEGER;
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
