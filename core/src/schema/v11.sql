-- dockhand device database, schema version 11: how much a location may hold. Kept verbatim
-- forever, like v1.sql.
--
-- The most base units of all goods together a location holds (NULL: no limit), from master data.
-- A move or putaway that would take it past this is refused ("full location").
ALTER TABLE locations ADD COLUMN max_units INTEGER CHECK (max_units IS NULL OR max_units > 0);
