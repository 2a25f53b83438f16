-- SSCCs minted offline (2026-12): each site's GS1 Company Prefix and extension digit, and the
-- blocks of serial references handed to devices. A prefix's serials are handed out once whatever
-- the site (two sites of one company share its prefix), so no two devices mint the same SSCC.
ALTER TABLE sites ADD COLUMN gs1_prefix TEXT;
ALTER TABLE sites ADD COLUMN sscc_extension {int} NOT NULL DEFAULT 0;
CREATE TABLE sscc_blocks (
    company_prefix  TEXT NOT NULL,
    extension       {int} NOT NULL,
    first_serial    {int} NOT NULL,
    last_serial     {int} NOT NULL,
    site            TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    given_at        TEXT NOT NULL,
    PRIMARY KEY (company_prefix, extension, first_serial)
);
CREATE INDEX sscc_blocks_of_device ON sscc_blocks (device_id, given_at);
