-- dockhand device database, schema version 8: who works which task, and what the hub made of
-- refused events. Kept verbatim forever, like v1.sql.
--
-- The hub's word on each pick and count task, as last pulled: who holds it (claimed, assigned,
-- started, or nobody) and how far it is. A task another device holds is listed with its holder
-- and cannot be started here.
CREATE TABLE task_claims (
    kind       TEXT NOT NULL CHECK (kind = 'pick' OR kind = 'count'),
    task_id    TEXT NOT NULL,
    -- The device that holds it (NULL: nobody).
    device_id  TEXT,
    -- The hub's claim as JSON (dockhand_protocol::tasks::TaskClaim).
    claim      TEXT NOT NULL,
    PRIMARY KEY (kind, task_id)
) WITHOUT ROWID;

-- What a person at the hub made of this device's refused events: resolved or dismissed with a
-- note, or taken on a retry (the event is then acknowledged). A settled event leaves the list of
-- exceptions.
CREATE TABLE exception_settlements (
    seq         INTEGER PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state = 'resolved' OR state = 'dismissed'
                                     OR state = 'retried'),
    note        TEXT,
    settled_by  TEXT NOT NULL,
    settled_at  TEXT NOT NULL
);
