-- Several events in one ERP document (2026-12): before a connector creates a document that
-- carries several events, the hub records which events the document carries: a batch, named by
-- its first event's feed position. A retry after a crash or a lost answer rebuilds the same
-- document from the same events and finds it by its reference, instead of posting any of them
-- again; an event of a batch is only ever posted with its batch. A batch the ERP refused before
-- it made anything of it goes to batch 0: its events are posted one by one from then on, never
-- in a batch again.
CREATE TABLE IF NOT EXISTS erp_batch_events (
    erp       TEXT NOT NULL,
    feed_seq  {int} NOT NULL,
    batch     {int} NOT NULL,
    PRIMARY KEY (erp, feed_seq)
) {without_rowid};
CREATE INDEX IF NOT EXISTS erp_batch_events_batch ON erp_batch_events (erp, batch);
