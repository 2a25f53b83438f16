-- ERP posting runs several documents at once (2026-12): events are recorded as each finishes, so
-- the highest one recorded no longer says that every earlier one was. `posted_through` is the
-- feed position up to which every event of the connector's site is recorded; the worker reads
-- the feed after it and skips what was recorded beyond it. Until now a connector posted one event
-- at a time, so its highest recorded position is where it stands.
ALTER TABLE erp_state ADD COLUMN posted_through {int};
UPDATE erp_state SET posted_through =
    (SELECT MAX(p.feed_seq) FROM erp_posts p WHERE p.erp = erp_state.erp);
INSERT INTO erp_state (erp, updated_at, posted_through)
    SELECT erp, MAX(at), MAX(feed_seq) FROM erp_posts
    WHERE erp NOT IN (SELECT erp FROM erp_state) GROUP BY erp;
