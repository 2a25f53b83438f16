-- Signed events (2026-12): each device's Ed25519 public key, which every event's signature is
-- verified with; and the hold a device is put on when its own (validly signed) chain forks — a
-- restored or copied database — until a supervisor accepts the fork or revokes the device.
ALTER TABLE devices ADD COLUMN public_key TEXT;
ALTER TABLE devices ADD COLUMN held_code TEXT;
ALTER TABLE devices ADD COLUMN held_reason TEXT;
ALTER TABLE devices ADD COLUMN held_since TEXT;
-- Set by a supervisor who accepted a fork: the device's next event re-anchors its chain.
ALTER TABLE devices ADD COLUMN accept_fork {int} NOT NULL DEFAULT 0;
