-- Facts about the warehouse itself, e.g. whether it holds the bundled sample.
CREATE TABLE IF NOT EXISTS warehouse_info (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);
