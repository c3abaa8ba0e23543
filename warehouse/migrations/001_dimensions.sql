-- Dimensions: refreshed from targets.yaml and the region list by `target-monitor init`.
CREATE TABLE IF NOT EXISTS documents (
    id            VARCHAR PRIMARY KEY,
    number        VARCHAR,
    title         VARCHAR NOT NULL,
    issuer        VARCHAR NOT NULL,
    issued_on     DATE NOT NULL,
    jurisdiction  VARCHAR NOT NULL,
    seed_file     VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE IF NOT EXISTS indicators (
    key           VARCHAR PRIMARY KEY,
    name_zh       VARCHAR NOT NULL,
    name_en       VARCHAR NOT NULL,
    unit          VARCHAR NOT NULL,
    measure       VARCHAR NOT NULL,      -- flow | stock
    rollup        VARCHAR NOT NULL,      -- sum | share_of_units | ratio | latest | mean | max | min | none
    numerator     VARCHAR,
    denominator   VARCHAR,
    definition    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS targets (
    id                   VARCHAR PRIMARY KEY,
    document             VARCHAR NOT NULL,
    article              VARCHAR NOT NULL,
    quote                VARCHAR NOT NULL,
    indicator            VARCHAR NOT NULL,
    jurisdiction         VARCHAR NOT NULL,
    level                VARCHAR NOT NULL,
    applies_to           VARCHAR NOT NULL,
    unit_kind            VARCHAR,
    reported_by          VARCHAR[] NOT NULL,  -- region levels that report the indicator for it
    kind                 VARCHAR NOT NULL,
    comparator           VARCHAR NOT NULL,
    value                DOUBLE,
    min_value            DOUBLE,
    max_value            DOUBLE,
    unit                 VARCHAR NOT NULL,
    start_date           DATE NOT NULL,
    deadline             DATE NOT NULL,
    recurrence           VARCHAR NOT NULL,
    reference_indicator  VARCHAR,
    baseline_value       DOUBLE,
    baseline_date        DATE,
    lead                 VARCHAR[] NOT NULL,
    participants         VARCHAR[] NOT NULL,
    headline             BOOLEAN NOT NULL,
    note                 VARCHAR
);

CREATE TABLE IF NOT EXISTS parameters (
    id         VARCHAR PRIMARY KEY,
    document   VARCHAR NOT NULL,
    article    VARCHAR NOT NULL,
    quote      VARCHAR NOT NULL,
    name_zh    VARCHAR NOT NULL,
    value      DOUBLE,
    min_value  DOUBLE,
    max_value  DOUBLE,
    unit       VARCHAR NOT NULL,
    note       VARCHAR
);

-- One row per code and validity period: a code that was re-used for a new division has two rows.
CREATE TABLE IF NOT EXISTS regions (
    code                   VARCHAR NOT NULL,
    valid_from             DATE NOT NULL,       -- 1900-01-01: valid since before the records
    valid_to               DATE,                -- NULL: still valid
    name                   VARCHAR NOT NULL,
    level                  VARCHAR NOT NULL,    -- province | city | county | town
    parent_code            VARCHAR,
    jurisdiction           VARCHAR NOT NULL,    -- 440000 or 370200: whose goals apply
    province_administered  BOOLEAN NOT NULL,
    source                 VARCHAR NOT NULL,
    note                   VARCHAR NOT NULL,
    PRIMARY KEY (code, valid_from)
);

CREATE TABLE IF NOT EXISTS periods (
    period      VARCHAR PRIMARY KEY,   -- 2018Q3, 2018, 2011-2015
    kind        VARCHAR NOT NULL,      -- quarter | year | window
    start_date  DATE NOT NULL,
    end_date    DATE NOT NULL,
    year        INTEGER,
    quarter     INTEGER,
    label_zh    VARCHAR NOT NULL
);
