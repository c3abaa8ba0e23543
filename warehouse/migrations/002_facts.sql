-- Facts are append-only: nothing here is ever updated or deleted.  A correction is a new revision.
CREATE SEQUENCE IF NOT EXISTS batch_id_seq START 1;

CREATE TABLE IF NOT EXISTS upload_batches (
    batch_id        BIGINT PRIMARY KEY,
    kind            VARCHAR NOT NULL,      -- committed | dry_run
    source          VARCHAR NOT NULL,      -- upload | sample | published
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    uploader        VARCHAR NOT NULL,
    region_code     VARCHAR,               -- the uploader's scope, when given
    rows_total      INTEGER NOT NULL,
    rows_new        INTEGER NOT NULL,
    rows_changed    INTEGER NOT NULL,
    rows_unchanged  INTEGER NOT NULL,
    rows_rejected   INTEGER NOT NULL,
    issues          JSON NOT NULL,         -- the full issue list, as shown to the uploader
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS reports (
    region_code   VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,       -- quarter label, e.g. 2018Q3
    revision      INTEGER NOT NULL,       -- 1 for the first report of a key, then 2, 3, ...
    value         DOUBLE NOT NULL,
    note          VARCHAR,
    batch_id      BIGINT NOT NULL,
    source_row    INTEGER,                -- the row in the uploaded file, as Excel shows it
    submitted_by  VARCHAR NOT NULL,
    submitted_at  TIMESTAMP NOT NULL
    -- (region_code, indicator, period, revision) is unique.  It is not declared as a key: DuckDB
    -- would build an in-memory ART index over every report (gigabytes at national scale), and
    -- each load computes revisions inside its transaction after claiming its batch id from
    -- batch_counter (007_batch_counter.sql), where concurrent loads conflict and take turns, so
    -- it holds anyway (tests/test_load.py checks it after concurrent writers).
);

-- The current value of every key: its latest revision.
CREATE OR REPLACE VIEW current_reports AS
SELECT *
FROM reports
QUALIFY row_number() OVER (
    PARTITION BY region_code, indicator, period ORDER BY revision DESC
) = 1;

-- Published figures (data/published/): outside the reporting system, kept with source and quote.
CREATE TABLE IF NOT EXISTS published_figures (
    indicator       VARCHAR,              -- catalogue key, NULL when no catalogue indicator fits
    source_key      VARCHAR NOT NULL,     -- the key as published
    region          VARCHAR NOT NULL,
    region_code     VARCHAR,
    year_label      VARCHAR NOT NULL,
    year            INTEGER,
    value_text      VARCHAR NOT NULL,     -- as stated, qualifiers kept ("3020 (nearly)")
    value           DOUBLE,               -- the number, when one can be read
    qualifier       VARCHAR,
    unit            VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    source_date     VARCHAR NOT NULL,
    quote           VARCHAR NOT NULL,
    confidence      VARCHAR NOT NULL
);
