-- Accounts, quarter locks and the audit log (issue #7).
CREATE TABLE IF NOT EXISTS users (
    username       VARCHAR PRIMARY KEY,
    password_hash  VARCHAR NOT NULL,          -- argon2id, never the password
    role           VARCHAR NOT NULL,          -- bureau | planner | admin
    region_code    VARCHAR,                   -- a bureau's region (and everything below it)
    display_name   VARCHAR NOT NULL,
    active         BOOLEAN NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    created_by     VARCHAR NOT NULL
);

-- Locks are events: the current state of a quarter is its latest event.
CREATE TABLE IF NOT EXISTS period_lock_events (
    period     VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,              -- lock | unlock
    actor      VARCHAR NOT NULL,
    logged_at  TIMESTAMP NOT NULL,
    reason     VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id   BIGINT NOT NULL,
    logged_at  TIMESTAMP NOT NULL,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,              -- login | login_failed | upload_dry_run | upload_commit
                                              -- | upload_rejected | lock | unlock | user_add
                                              -- | user_disable | user_passwd | user_enable
    target     VARCHAR,                       -- a file, a quarter, a username
    batch_id   BIGINT,
    detail     JSON
);
