-- Batch ids from a one-row counter instead of a sequence (issue 10, item 9).
--
-- Every load claims its batch id with `UPDATE batch_counter SET last_batch_id = last_batch_id + 1`
-- as the first statement of its transaction (warehouse/facts.py).  That one row is where
-- concurrent writers meet: DuckDB refuses the second of two open transactions that update it
-- ("Conflict on update"), and the load retries, now seeing the first one's reports; PostgreSQL
-- makes the second wait for the first to commit.  So the revisions a load computes from what it
-- reads ("current + 1") can never be computed twice for one key, and batch ids follow commit
-- order.  A sequence gave unique ids but no such meeting point (two loads could both write
-- revision 1 of a new key), and DuckLake has no sequences at all.
--
-- The counter starts after every batch id ever handed out (the sequence's last value, read with
-- DuckDB's duckdb_sequences(), and the largest id stored), then the sequence goes.
CREATE TABLE IF NOT EXISTS batch_counter (
    last_batch_id  BIGINT NOT NULL
);

INSERT INTO batch_counter
SELECT greatest(
    (SELECT coalesce(max(batch_id), 0) FROM upload_batches),
    (SELECT coalesce(max(last_value), 0) FROM duckdb_sequences()
     WHERE sequence_name = 'batch_id_seq')
)
WHERE NOT EXISTS (SELECT 1 FROM batch_counter);

DROP SEQUENCE IF EXISTS batch_id_seq;
