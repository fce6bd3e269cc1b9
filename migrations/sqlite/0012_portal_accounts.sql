-- Portal accounts, one-time links and the outbox's delivery state (SQLite; paired with
-- migrations/postgres/0012_portal_accounts.sql). Every column is classified in
-- crates/domain/src/privacy/registry.rs.

-- The language a participant reads the portal and their messages in.
ALTER TABLE participant ADD COLUMN language TEXT NOT NULL DEFAULT 'nl'
    CHECK (language IN ('nl', 'en'));

-- A portal log-in: the main participant, or an adult partner with an e-mail address of their
-- own. Made when the activation link is used. The password is an Argon2id PHC string; a
-- session made before password_changed_at_ms is no longer valid.
CREATE TABLE participant_account (
    participant_id BLOB NOT NULL PRIMARY KEY REFERENCES participant (participant_id),
    password_hash TEXT NOT NULL,
    password_changed_at_ms INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until_ms INTEGER,
    last_login_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

-- A one-time link (activation, password reset): only the SHA-256 of its random token is kept.
-- It replaces portal_activation, which nothing wrote any more (the token is made when the
-- message is sent); a link that was still there keeps working.
CREATE TABLE one_time_link (
    token_hash BLOB NOT NULL PRIMARY KEY,
    participant_id BLOB NOT NULL REFERENCES participant (participant_id),
    purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'password_reset')),
    expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX one_time_link_participant ON one_time_link (participant_id);
INSERT INTO one_time_link (token_hash, participant_id, purpose, expires_at_ms, used_at_ms,
    created_at_ms)
SELECT token_hash, participant_id, 'activation', expires_at_ms, used_at_ms, created_at_ms
FROM portal_activation;
DROP TABLE portal_activation;

-- The outbox learns the password-reset message and keeps its delivery state for staff: tries,
-- the next try, and the class of the last error (never an address or personal data). SQLite
-- cannot change a CHECK constraint in place: the table is rebuilt (nothing refers to it).
CREATE TABLE outbox_message_new (
    outbox_message_id BLOB NOT NULL PRIMARY KEY,
    message_kind TEXT NOT NULL CHECK (message_kind IN
        ('portal_activation', 'application_with_your_details', 'password_reset')),
    participant_id BLOB NOT NULL REFERENCES participant (participant_id),
    application_id BLOB REFERENCES application (application_id),
    created_at_ms INTEGER NOT NULL,
    sent_at_ms INTEGER,
    message_state TEXT NOT NULL DEFAULT 'pending' CHECK (message_state IN
        ('pending', 'sent', 'failed_retrying', 'undeliverable')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_ms INTEGER,
    last_error TEXT
) STRICT;
INSERT INTO outbox_message_new (outbox_message_id, message_kind, participant_id, application_id,
    created_at_ms, sent_at_ms, message_state, attempts, next_attempt_at_ms, last_error)
SELECT outbox_message_id, message_kind, participant_id, application_id, created_at_ms,
    sent_at_ms, CASE WHEN sent_at_ms IS NULL THEN 'pending' ELSE 'sent' END, 0,
    CASE WHEN sent_at_ms IS NULL THEN created_at_ms END, NULL
FROM outbox_message;
DROP TABLE outbox_message;
ALTER TABLE outbox_message_new RENAME TO outbox_message;
CREATE INDEX outbox_message_due ON outbox_message (next_attempt_at_ms)
    WHERE message_state IN ('pending', 'failed_retrying');
CREATE INDEX outbox_message_participant ON outbox_message (participant_id);
