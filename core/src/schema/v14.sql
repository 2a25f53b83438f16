-- dockhand device database, schema version 14: the time an order must ship by. Kept verbatim
-- forever, like v1.sql.
--
-- `ship_by` (UTC, RFC 3339, NULL when the order has no deadline) comes with the pick task from the
-- hub or the ERP; a shipment closed after it is late (the on-time ship KPI).
ALTER TABLE pick_tasks ADD COLUMN ship_by TEXT;
