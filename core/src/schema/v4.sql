-- dockhand device database, schema version 4: the device's signing key and signed events.
-- Kept verbatim forever, like v1.sql.

-- One row: the device's Ed25519 key pair, made when the database is created (or when a database
-- of version 3 is first opened). `secret_key` is NULL when the key lives in the platform keystore
-- and the app signs through its EventSigner; the public key is what the hub verifies against.
CREATE TABLE device_key (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    secret_key  BLOB CHECK (secret_key IS NULL OR length(secret_key) = 32),
    public_key  TEXT NOT NULL CHECK (length(public_key) = 64),
    created_at  TEXT NOT NULL
);

-- The device key's signature of each event's hash (128 hex digits; outside the hash). Events
-- recorded before version 4 are signed when the key is made, if they are still pending.
ALTER TABLE outbox ADD COLUMN signature TEXT;

-- A signature is written once: with the event, or (for an event recorded before version 4) when
-- the key is made.
CREATE TRIGGER outbox_signature_once
BEFORE UPDATE OF signature ON outbox WHEN OLD.signature IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an event''s signature is never changed'); END;
