-- Where a figure came from (issue 11, item 4): a URL, or a document's title and date, as the
-- uploader wrote it in the optional 来源 / source column; for a published figure adopted as a
-- report (target-monitor published adopt), its URL or title, date and quote.  NULL when none
-- was given.  Nothing is back-filled: reports loaded before this column existed have none.
ALTER TABLE reports ADD COLUMN IF NOT EXISTS source VARCHAR;

-- current_reports selects *: re-created so that it has the new column.
CREATE OR REPLACE VIEW current_reports AS
SELECT *
FROM reports
QUALIFY row_number() OVER (
    PARTITION BY region_code, indicator, period ORDER BY revision DESC
) = 1;
