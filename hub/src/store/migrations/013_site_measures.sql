-- What the hub measures a site by (2026-12): the facts its KPIs, its count risk ranking and its
-- available-to-promise are computed from, kept from the events it accepts (the envelopes stay as
-- they came). Activity of before this migration is not measured.
CREATE TABLE activity (
    id        {serial},
    site      TEXT NOT NULL,
    -- 'count' (a line of a settling round), 'pick', 'short' (a pick found short), 'restock' (a
    -- returned line made available again).
    kind      TEXT NOT NULL,
    location  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    -- When it happened (the device's time, UTC).
    at        TEXT NOT NULL,
    -- count: base units expected; restock: minutes from receipt to available.
    expected  {int} NOT NULL,
    -- count: base units counted; pick and short: base units.
    quantity  {int} NOT NULL,
    -- count: the round adjusted the stock.
    adjusted  {int} NOT NULL,
    -- pick and short: the pick (device/task/pick id), so a pick confirmed in parts counts once.
    ref       TEXT NOT NULL
);
CREATE INDEX activity_of_site ON activity (site, kind, at);
-- Picks allocated on handhelds and not yet picked or found short: what the site's orders hold of
-- its stock.
CREATE TABLE reservations (
    site       TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    pick_id    {int} NOT NULL,
    sku        TEXT NOT NULL,
    remaining  {int} NOT NULL,
    PRIMARY KEY (site, device_id, task_id, pick_id)
);
