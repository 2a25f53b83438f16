-- dockhand device database, schema version 10: the SSCC serial references the hub gave this
-- device. Kept verbatim forever, like v1.sql.
--
-- Each block is this device's alone (the hub hands a prefix's serials out once), so cartons and
-- pallets labelled offline on two handhelds never share an SSCC. `next` is the first serial not
-- minted yet; a block is used up when next > last_serial.
CREATE TABLE sscc_blocks (
    company_prefix  TEXT NOT NULL CHECK (length(company_prefix) BETWEEN 7 AND 10),
    extension       INTEGER NOT NULL CHECK (extension BETWEEN 0 AND 9),
    first_serial    INTEGER NOT NULL CHECK (first_serial >= 0),
    last_serial     INTEGER NOT NULL CHECK (last_serial >= first_serial),
    next            INTEGER NOT NULL CHECK (next >= first_serial AND next <= last_serial + 1),
    got_at          TEXT NOT NULL,
    PRIMARY KEY (company_prefix, extension, first_serial)
) WITHOUT ROWID;
