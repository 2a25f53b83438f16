-- The console's event search by licence plate, its EPCIS export for a period, and its lock after
-- wrong passwords per address (2026-12).
-- Every accepted event that moved stock on a licence plate (LPN, an SSCC or a plate of the
-- site's own), once per plate: those from before are found in their movements.
CREATE TABLE lpn_events (
    site      TEXT NOT NULL,
    lpn       TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (site, lpn, event_id)
);
INSERT INTO lpn_events (site, lpn, event_id)
    SELECT DISTINCT d.site_id, {movement_lpn}, e.event_id
    FROM events e JOIN devices d ON d.device_id = e.device_id, {event_movements}
    WHERE e.status = 'accepted' AND COALESCE({movement_lpn}, '') <> ''
    ON CONFLICT DO NOTHING;
-- The export reads a period of what the hub accepted, by the hub's clock: every feed row now
-- keeps when it was accepted (a device's event, accepted on arrival or on a retry long after;
-- the hub's own, when it made it). Before, by arrival.
UPDATE feed SET made_at = (SELECT e.received_at FROM events e WHERE e.id = feed.event_row)
    WHERE made_at IS NULL;
CREATE INDEX feed_accepted_by_site ON feed (site, made_at);
-- Wrong console passwords are counted per account and address (2026-12): five in a row from one
-- address lock the account for that address only, so nobody who knows a supervisor's name can
-- keep them out from elsewhere. console_users.failures and .locked_until are no longer written.
CREATE TABLE console_lockouts (
    user_name     TEXT NOT NULL REFERENCES console_users (name) ON DELETE CASCADE,
    address       TEXT NOT NULL,
    failures      {int} NOT NULL,
    locked_until  TEXT,
    PRIMARY KEY (user_name, address)
);
