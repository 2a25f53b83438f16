-- Stock below zero (2026-12): the hub never refuses a physical fact for lack of stock, so two
-- handhelds taking the same last units offline take a bucket below zero. Each bucket remembers the
-- last event that took from it, and each crossing below zero is recorded with both events and
-- the count task raised for the location.
ALTER TABLE stock ADD COLUMN last_taker TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS conflicts (
    id              {serial},
    location        TEXT NOT NULL,
    sku             TEXT NOT NULL,
    lot             TEXT NOT NULL,
    serial          TEXT NOT NULL,
    lpn             TEXT NOT NULL,
    status          TEXT NOT NULL,
    -- The bucket after the event.
    quantity        {int} NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    seq             {int} NOT NULL,
    -- The event that took from the bucket before ('' when the hub does not know one).
    other_event_id  TEXT NOT NULL,
    count_task      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    raised_at       TEXT NOT NULL
);
