-- Who works which task (2026-12). A claim or an assignment is a master row of kind task_claim,
-- keyed pick/T1, which every device of the site pulls. From the events it accepts the hub keeps,
-- for each of its tasks, the devices that recorded work on it (two or more: worked twice, an
-- exception) and how far it is (a done task takes no claim).
CREATE TABLE task_work (
    site       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    -- The device's first event of the task.
    event_id   TEXT NOT NULL,
    seq        {int} NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (site, kind, task_id, device_id)
);
CREATE TABLE task_progress (
    site      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    task_id   TEXT NOT NULL,
    progress  TEXT NOT NULL,
    -- Base units ordered and picked or short (pick tasks).
    ordered   {int} NOT NULL,
    settled   {int} NOT NULL,
    PRIMARY KEY (site, kind, task_id)
);
-- Pick tasks worked before: in progress, or cancelled (how much of each was picked is not
-- recounted), so that none of them reads as an order nobody started.
INSERT INTO task_progress (site, kind, task_id, progress, ordered, settled)
    SELECT d.site_id, 'pick', {payload_task_id},
           CASE WHEN MAX(CASE WHEN e.event_type = 'picking.cancelled' THEN 1 ELSE 0 END) = 1
                THEN 'cancelled' ELSE 'in_progress' END, 0, 0
    FROM events e JOIN devices d ON d.device_id = e.device_id
    WHERE e.status = 'accepted' AND e.event_type IN ('picking.task_started', 'picking.confirmed',
                                                     'picking.short', 'picking.cancelled')
      AND {payload_task_id} IS NOT NULL
    GROUP BY d.site_id, {payload_task_id};
-- Exceptions a person settles, of every kind: an event the hub refused (refused_event), an event
-- the ERP refused (erp_refused), stock taken below zero (stock_below_zero), a task two devices
-- worked (double_worked). Raised once per kind, subject and device, then open until resolved
-- (with a note), dismissed, or retried with success.
CREATE TABLE exceptions (
    id          {serial},
    site        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    -- The refusal's code, where there is one.
    code        TEXT NOT NULL,
    -- What it is about: an event id, a task's claim key (pick/T1), the count task a conflict
    -- raised.
    subject     TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    -- The events it concerns (JSON list of ids).
    event_ids   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    raised_at   TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open',
    note        TEXT,
    settled_by  TEXT,
    settled_at  TEXT,
    UNIQUE (site, kind, subject, device_id)
);
CREATE INDEX exceptions_open ON exceptions (site, state, raised_at);
-- Those raised before, open.
INSERT INTO exceptions (site, kind, code, subject, device_id, event_ids, reason, raised_at)
    SELECT d.site_id, 'refused_event', COALESCE(e.code, ''), e.event_id, e.device_id,
           '["' || e.event_id || '"]', COALESCE(e.reason, ''), e.received_at
    FROM events e JOIN devices d ON d.device_id = e.device_id
    WHERE e.status = 'rejected' ORDER BY e.id
    ON CONFLICT DO NOTHING;
INSERT INTO exceptions (site, kind, code, subject, device_id, event_ids, reason, raised_at)
    SELECT c.site, 'stock_below_zero', 'stock_below_zero',
           c.count_task || ':' || c.sku || ':' || c.lot || ':' || c.status, c.device_id,
           CASE WHEN c.other_event_id = '' THEN '["' || c.event_id || '"]'
                ELSE '["' || c.other_event_id || '","' || c.event_id || '"]' END,
           c.reason, c.raised_at
    FROM conflicts c ORDER BY c.id
    ON CONFLICT DO NOTHING;
INSERT INTO exceptions (site, kind, code, subject, device_id, event_ids, reason, raised_at)
    SELECT d.site_id, 'erp_refused', COALESCE(p.code, ''), p.event_id, p.device_id,
           '["' || p.event_id || '"]', COALESCE(p.message, ''), p.at
    FROM erp_posts p JOIN devices d ON d.device_id = p.device_id
    WHERE p.status = 'failed' ORDER BY p.at
    ON CONFLICT DO NOTHING;
-- ERP refusals a supervisor asked to post again: each connector posts them before going on with
-- its feed, and the exception settles once the ERP takes the event.
CREATE TABLE erp_retries (
    erp           TEXT NOT NULL,
    feed_seq      {int} NOT NULL,
    exception_id  {int} NOT NULL,
    asked_by      TEXT NOT NULL,
    asked_at      TEXT NOT NULL,
    PRIMARY KEY (erp, feed_seq)
);
