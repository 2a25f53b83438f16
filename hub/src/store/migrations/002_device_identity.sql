-- Device identity (2026-12): a revoked device's tokens are gone and it cannot register again
-- without an administrator; tokens know when they were issued, so that superseded ones are pruned;
-- events refused without a place in a device's chain (a forged or broken link, a seq already
-- taken) are kept apart for a supervisor, so that they never re-anchor the chain.
ALTER TABLE devices ADD COLUMN revoked_at TEXT;
ALTER TABLE tokens ADD COLUMN issued_at TEXT;
CREATE INDEX IF NOT EXISTS tokens_device ON tokens (device_id);
CREATE TABLE IF NOT EXISTS refusals (
    id           {serial},
    device_id    TEXT NOT NULL,
    seq          {int} NOT NULL,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refusals_device ON refusals (device_id, id);
