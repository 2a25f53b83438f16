-- The console's event search by licence plate, and its EPCIS export for a period (2026-12).
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
-- The export reads a period of what the hub accepted, by the hub's clock: device events by the
-- time they arrived, the hub's own by when it made them.
CREATE INDEX events_by_received ON events (received_at);
CREATE INDEX feed_made_by_site ON feed (site, made_at) WHERE event_row IS NULL;
