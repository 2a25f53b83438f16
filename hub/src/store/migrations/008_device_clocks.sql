-- Device clocks (2026-12): with every sync a device sends its clock's time; the hub keeps how far it
-- was from its own (device minus hub, in milliseconds) and when it checked, to correct the times
-- of the device's events (counts are reconciled against the stock as of their start).
ALTER TABLE devices ADD COLUMN clock_skew_ms {int};
ALTER TABLE devices ADD COLUMN clock_checked_at TEXT;
