-- The supervisor's console (2026-12): who may sign in, their open sessions, and what each did.
CREATE TABLE console_users (
    name           TEXT PRIMARY KEY,
    -- 'supervisor' (acts) or 'viewer' (reads).
    role           TEXT NOT NULL,
    -- Argon2id, PHC string.
    password_hash  TEXT NOT NULL,
    -- Wrong passwords since the last sign-in or lock.
    failures       {int} NOT NULL DEFAULT 0,
    -- Refused sign-ins until then (UTC RFC 3339), after too many wrong passwords.
    locked_until   TEXT,
    created_at     TEXT NOT NULL
);
-- A signed-in browser: the cookie's SHA-256 (never the cookie itself) and its form token.
CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_name   TEXT NOT NULL REFERENCES console_users (name) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX console_sessions_of_user ON console_sessions (user_name);
-- Every sign-in, sign-out and action taken from the console, with who and when; kept.
CREATE TABLE console_actions (
    id         {serial},
    at         TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    -- 'sign_in', 'sign_in_refused', 'sign_out', 'resolve', 'dismiss', 'retry', 'revoke', ...
    action     TEXT NOT NULL,
    -- What it was done to: an exception id, a device, a task.
    target     TEXT NOT NULL,
    note       TEXT NOT NULL,
    -- 'done', or the sentence it was refused with.
    outcome    TEXT NOT NULL
);
CREATE INDEX console_actions_by_time ON console_actions (at);
-- The console's stock search: by item, lot and licence plate within a site (by location, the
-- primary key serves).
CREATE INDEX stock_by_sku ON stock (site, sku);
CREATE INDEX stock_by_lot ON stock (site, lot) WHERE lot <> '';
CREATE INDEX stock_by_lpn ON stock (site, lpn) WHERE lpn <> '';
-- The console's event search by item: the moves of an item at a site, newest first.
CREATE INDEX stock_moves_by_sku ON stock_moves (site, sku, id);
-- What each device last said of itself with its requests (the floor's columns): the app and
-- library it runs, the events it holds for the hub, the operator signed in on it.
ALTER TABLE devices ADD COLUMN app TEXT;
ALTER TABLE devices ADD COLUMN pending {int};
ALTER TABLE devices ADD COLUMN operator_id TEXT;
ALTER TABLE devices ADD COLUMN reported_at TEXT;
-- The floor counts each device's refused events: through this index, not through all its events.
CREATE INDEX events_rejected_of_device ON events (device_id) WHERE status = 'rejected';
