-- Portal accounts, one-time links and the outbox's delivery state (PostgreSQL; paired with
-- migrations/sqlite/0012_portal_accounts.sql). Every column is classified in
-- crates/domain/src/privacy/registry.rs.

-- The language a participant reads the portal and their messages in.
ALTER TABLE participant ADD COLUMN language TEXT NOT NULL DEFAULT 'nl'
    CHECK (language IN ('nl', 'en'));

-- A portal log-in: the main participant, or an adult partner with an e-mail address of their
-- own. Made when the activation link is used. The password is an Argon2id PHC string; a
-- session made before password_changed_at_ms is no longer valid.
CREATE TABLE participant_account (
    participant_id UUID NOT NULL PRIMARY KEY REFERENCES participant (participant_id),
    password_hash TEXT NOT NULL,
    password_changed_at_ms BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until_ms BIGINT,
    last_login_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

-- A one-time link (activation, password reset): only the SHA-256 of its random token is kept.
-- It replaces portal_activation, which nothing wrote any more (the token is made when the
-- message is sent); a link that was still there keeps working.
CREATE TABLE one_time_link (
    token_hash BYTEA NOT NULL PRIMARY KEY,
    participant_id UUID NOT NULL REFERENCES participant (participant_id),
    purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'password_reset')),
    expires_at_ms BIGINT NOT NULL,
    used_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX one_time_link_participant ON one_time_link (participant_id);
INSERT INTO one_time_link (token_hash, participant_id, purpose, expires_at_ms, used_at_ms,
    created_at_ms)
SELECT token_hash, participant_id, 'activation', expires_at_ms, used_at_ms, created_at_ms
FROM portal_activation;
DROP TABLE portal_activation;

-- The outbox learns the password-reset message and keeps its delivery state for staff: tries,
-- the next try, and the class of the last error (never an address or personal data).
ALTER TABLE outbox_message DROP CONSTRAINT outbox_message_message_kind_check;
ALTER TABLE outbox_message ADD CONSTRAINT outbox_message_message_kind_check CHECK (message_kind
    IN ('portal_activation', 'application_with_your_details', 'password_reset'));
ALTER TABLE outbox_message ADD COLUMN message_state TEXT NOT NULL DEFAULT 'pending'
    CHECK (message_state IN ('pending', 'sent', 'failed_retrying', 'undeliverable'));
ALTER TABLE outbox_message ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0
    CHECK (attempts >= 0);
ALTER TABLE outbox_message ADD COLUMN next_attempt_at_ms BIGINT;
ALTER TABLE outbox_message ADD COLUMN last_error TEXT;
UPDATE outbox_message SET message_state = 'sent' WHERE sent_at_ms IS NOT NULL;
UPDATE outbox_message SET next_attempt_at_ms = created_at_ms WHERE sent_at_ms IS NULL;
DROP INDEX outbox_message_unsent;
CREATE INDEX outbox_message_due ON outbox_message (next_attempt_at_ms)
    WHERE message_state IN ('pending', 'failed_retrying');
