-- A user's progress and the log of their updates move into the users row,
-- in the compact form described in compact.go: one row written per update
-- instead of four. Step keys and event names get small numbers here.
-- The rows of the old progress and transitions tables are converted, and
-- the tables dropped, by the Go step of this migration (upgrade0006).
CREATE TABLE names (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);
ALTER TABLE users ADD COLUMN progress BLOB NOT NULL DEFAULT x'';
ALTER TABLE users ADD COLUMN log      BLOB NOT NULL DEFAULT x'';

-- Processed updates now only hold what no user's log does (the support
-- chat, inline queries, a /forget): a small table, pruned by an hourly
-- scan, that an index on the time would only make larger.
DROP INDEX processed_updates_at;
