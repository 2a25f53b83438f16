-- dockhand device database, schema version 6: goods received under another lot than their ASN
-- line expects. Kept verbatim forever, like v1.sql.

-- Base units received on an expected receipt's line under a lot other than the one the line
-- names: the receiver is told at the scan, and closing reports each as a lot discrepancy.
CREATE TABLE receipt_other_lots (
    receipt_id TEXT NOT NULL,
    line_no    INTEGER NOT NULL,
    lot        TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (receipt_id, line_no, lot),
    FOREIGN KEY (receipt_id, line_no) REFERENCES receipt_lines (receipt_id, line_no)
) WITHOUT ROWID;
