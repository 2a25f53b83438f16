-- dockhand device database, schema version 9: what the device kept as its operator left it,
-- told to the hub. Kept verbatim forever, like v1.sql.
--
-- When a pulled page changes something this device holds differently (a task or receipt being
-- worked here, an item's or location's settings its stock depends on), the device keeps its own
-- and the rest of the page applies. Each such note is told to the hub once (sent_at set), where
-- it becomes an exception a supervisor settles.
CREATE TABLE kept_local (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    what     TEXT NOT NULL,
    sent_at  TEXT
);
CREATE INDEX kept_local_unsent ON kept_local (id) WHERE sent_at IS NULL;
