-- Login throttling (issue 13): consecutive failed logins per account, shared by every process
-- that opens the warehouse (the dashboard's servers and the CLI).  Only existing accounts have a
-- row: a name nobody has is never written here (its failures are counted in memory, by hash).
-- A successful login or an expired lock-out deletes the row.  Nothing here is part of the data
-- version (warehouse.connect.data_version), so failed logins never invalidate cached views.
CREATE TABLE IF NOT EXISTS login_failures (
    username        VARCHAR PRIMARY KEY,
    failures        INTEGER NOT NULL,       -- consecutive failures since the last success
    last_failed_at  TIMESTAMP NOT NULL,     -- UTC
    locked_until    TIMESTAMP               -- UTC; set when failures reached the limit
);
