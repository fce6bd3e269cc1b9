-- Retention (SQLite): site visits (technical data, kept 90 days) and their daily counts (kept),
-- the log of retention runs, and an anchor that lets the access log's oldest entries be pruned
-- as a prefix while its hash chain stays verifiable. Paired with
-- migrations/postgres/0005_retention.sql; every column is classified in
-- crates/domain/src/privacy/registry.rs.

-- One visit to an HTML page: technical data about a person (PRIVACY.md §1), kept 90 days.
CREATE TABLE site_visit (
    sequence INTEGER NOT NULL PRIMARY KEY,
    visited_at_ms INTEGER NOT NULL,
    path TEXT NOT NULL,
    ip_address TEXT,
    user_agent TEXT,
    participant_id BLOB REFERENCES participant (participant_id)
) STRICT;
CREATE INDEX site_visit_time ON site_visit (visited_at_ms);
CREATE INDEX site_visit_participant ON site_visit (participant_id) WHERE participant_id IS NOT NULL;

-- Visits per day and page: what is left of site visits after 90 days (nobody in it).
CREATE TABLE site_visit_daily (
    day TEXT NOT NULL,
    path TEXT NOT NULL,
    visits INTEGER NOT NULL CHECK (visits > 0),
    PRIMARY KEY (day, path)
) STRICT;

-- Every retention run, dry or not, with its counts per category and table (never data).
CREATE TABLE retention_run (
    retention_run_id BLOB NOT NULL PRIMARY KEY,
    ran_at_ms INTEGER NOT NULL,
    run_date TEXT NOT NULL,
    dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    counts TEXT NOT NULL
) STRICT;

-- Where a chain starts after its oldest entries were pruned: the first remaining entry follows
-- `anchor_sequence` and links to `anchor_hash` (0 and the zero hash: nothing pruned).
ALTER TABLE chain_head ADD COLUMN anchor_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chain_head ADD COLUMN anchor_hash BLOB NOT NULL
    DEFAULT X'0000000000000000000000000000000000000000000000000000000000000000';

-- The access log stays append-only, except that entries up to the anchor may be deleted: the
-- retention job moves the anchor first, so only a prefix can go and verification still starts
-- from a known hash.
DROP TRIGGER access_log_no_delete;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
WHEN OLD.sequence > (SELECT anchor_sequence FROM chain_head WHERE chain_name = 'access_log')
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;

-- When a participant's account data was removed (log-in tokens gone, participant number
-- replaced by a fresh one that nobody was ever told), by an erasure or by the retention job.
ALTER TABLE participant ADD COLUMN account_closed_at_ms INTEGER;
