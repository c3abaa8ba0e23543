-- Who ran the process that wrote an audit row, beside the account it claimed (issue #13, L2):
-- the command line names an account without a password, so the OS user is what can be trusted.
-- NULL for rows written by the dashboard, whose process user is the server's.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS os_user VARCHAR;
