-- The register of units (issue 11, item 2): the service centres, specialised-town platforms and
-- startup bases that per-unit goals are about (model/units.py, data/unit_kinds.yaml).
--
-- Like regions, a unit is validity-dated: one version per (code, valid_from), valid_from
-- 1900-01-01 meaning "since before the records", valid_to exclusive (NULL: still valid).  Unlike
-- the regions, the register is append-only: a correction of a version (a unit that closed, a
-- name corrected) is a new revision of it, and the current register is each version's latest
-- revision (current_units).  Rows come from data/units.csv (origin 'register', synchronised by
-- `target-monitor init`), from the bundled sample ('sample') and from an admin's file
-- (`target-monitor units add`, the admin page: 'admin'); each addition is also in the audit log.
CREATE TABLE IF NOT EXISTS units (
    code         VARCHAR NOT NULL,      -- parent code, '-', the kind's letters, a number
    valid_from   DATE NOT NULL,
    revision     INTEGER NOT NULL,
    valid_to     DATE,
    name         VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,      -- a key of data/unit_kinds.yaml
    level        VARCHAR NOT NULL,      -- province | city | county | town: its parent's level
    parent_code  VARCHAR NOT NULL,      -- the region it belongs to (and reports through)
    source       VARCHAR NOT NULL,
    note         VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,      -- register | sample | admin
    file_name    VARCHAR NOT NULL,
    added_by     VARCHAR NOT NULL,
    added_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (code, valid_from, revision)
);

CREATE OR REPLACE VIEW current_units AS
SELECT *
FROM units
QUALIFY row_number() OVER (PARTITION BY code, valid_from ORDER BY revision DESC) = 1;
