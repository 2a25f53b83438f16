-- dockhand device database, schema version 16: the reserved total of each bucket, kept by
-- triggers, and filled from the reservations already open. Kept verbatim forever, like v1.sql.
-- A release takes the total down to nothing rather than below it, so a total that drifted (a
-- write from outside the app) never stops a pick; `verify_integrity` reports it.
-- What is reserved per bucket (item, location, lot), kept by triggers on `reservations`: the
-- check of what is free at a pick face reads one row instead of summing every open reservation
-- there (1,309 virtual-machine steps with 500 open, issue 18).
CREATE TABLE reserved_totals (
    item_id      INTEGER NOT NULL,
    location_id  INTEGER NOT NULL,
    lot          TEXT NOT NULL,
    qty          INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (item_id, location_id, lot)
) WITHOUT ROWID;

CREATE TRIGGER reserved_totals_add AFTER INSERT ON reservations
BEGIN
    INSERT INTO reserved_totals (item_id, location_id, lot, qty)
    VALUES (NEW.item_id, NEW.location_id, NEW.lot, NEW.qty)
    ON CONFLICT (item_id, location_id, lot) DO UPDATE SET qty = qty + excluded.qty;
END;

CREATE TRIGGER reserved_totals_take AFTER DELETE ON reservations
BEGIN
    DELETE FROM reserved_totals WHERE item_id = OLD.item_id AND location_id = OLD.location_id
        AND lot = OLD.lot AND qty <= OLD.qty;
    UPDATE reserved_totals SET qty = qty - OLD.qty WHERE item_id = OLD.item_id
        AND location_id = OLD.location_id AND lot = OLD.lot;
END;

CREATE TRIGGER reserved_totals_change AFTER UPDATE OF item_id, location_id, lot, qty ON reservations
BEGIN
    DELETE FROM reserved_totals WHERE item_id = OLD.item_id AND location_id = OLD.location_id
        AND lot = OLD.lot AND qty <= OLD.qty;
    UPDATE reserved_totals SET qty = qty - OLD.qty WHERE item_id = OLD.item_id
        AND location_id = OLD.location_id AND lot = OLD.lot;
    INSERT INTO reserved_totals (item_id, location_id, lot, qty)
    VALUES (NEW.item_id, NEW.location_id, NEW.lot, NEW.qty)
    ON CONFLICT (item_id, location_id, lot) DO UPDATE SET qty = qty + excluded.qty;
END;

INSERT INTO reserved_totals (item_id, location_id, lot, qty)
    SELECT item_id, location_id, lot, SUM(qty) FROM reservations
    GROUP BY item_id, location_id, lot;
