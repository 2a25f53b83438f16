-- dockhand device database, schema version 5: operators' badges and PINs, sign-in.
-- Kept verbatim forever, like v1.sql.

-- One badge per operator, from the hub. The PIN is only ever here as an Argon2id hash (a PHC
-- string made by the hub); the plain PIN never reaches the device's disk.
CREATE TABLE credentials (
    operator_id TEXT PRIMARY KEY REFERENCES operators (id),
    badge       TEXT NOT NULL UNIQUE CHECK (length(badge) BETWEEN 1 AND 64),
    pin_hash    TEXT NOT NULL CHECK (pin_hash LIKE '$argon2id$%')
);

-- Wrong PINs per badge, written outside the command they were meant to authorise (a refused
-- command rolls back; its failed attempt must not). After too many a badge is locked for a while.
CREATE TABLE pin_failures (
    badge        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    locked_until TEXT
);

-- Who is signed in on this handheld: at most one person at a time.
CREATE TABLE signed_in (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    operator_id  TEXT NOT NULL REFERENCES operators (id),
    badge        TEXT NOT NULL,
    signed_in_at TEXT NOT NULL
);
