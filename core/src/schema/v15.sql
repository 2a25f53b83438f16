-- dockhand device database, schema version 15: indexes for the look-ups every pick, pack and load
-- made by scanning a whole table (found by EXPLAIN QUERY PLAN over every statement, issue 18).
-- Kept verbatim forever, like v1.sql.
--
-- `balances_by_lpn`: whether a tote or carton holds anything and where a plate is (each pick into
-- a tote asked it of every balance); partial, so loose stock costs nothing to write.
-- `pick_tasks_by_order`, `handling_units_by_order`: whether an order is known, an order's units.
-- `count_tasks_by_location`: a location's count tasks.
CREATE INDEX IF NOT EXISTS balances_by_lpn ON balances (lpn) WHERE lpn <> '';
CREATE INDEX IF NOT EXISTS pick_tasks_by_order ON pick_tasks (order_ref);
CREATE INDEX IF NOT EXISTS handling_units_by_order ON handling_units (order_ref);
CREATE INDEX IF NOT EXISTS count_tasks_by_location ON count_tasks (location_id);
