-- Applications that need staff, and the outbox of messages to participants (PostgreSQL;
-- paired with migrations/sqlite/0011_application_referral.sql). Every column is classified in
-- crates/domain/src/privacy/registry.rs.
--
-- An application whose form is valid but whose person already has a contract (or left one
-- unpaid) is 'referred' to staff instead of being refused to the sender, so that an answer to
-- someone who is not logged in never depends on whether someone else's data exists.
ALTER TABLE application DROP CONSTRAINT application_application_status_check;
ALTER TABLE application ADD CONSTRAINT application_application_status_check
    CHECK (application_status IN ('accepted', 'rejected', 'referred'));

-- A message to a participant, stored in the transaction of the change that causes it and sent
-- to the address on file by the outbox worker (which also makes a one-time link where the
-- message needs one, so no secret waits here).
CREATE TABLE outbox_message (
    outbox_message_id UUID NOT NULL PRIMARY KEY,
    message_kind TEXT NOT NULL
        CHECK (message_kind IN ('portal_activation', 'application_with_your_details')),
    participant_id UUID NOT NULL REFERENCES participant (participant_id),
    application_id UUID REFERENCES application (application_id),
    created_at_ms BIGINT NOT NULL,
    sent_at_ms BIGINT
);
CREATE INDEX outbox_message_unsent ON outbox_message (created_at_ms) WHERE sent_at_ms IS NULL;
CREATE INDEX outbox_message_participant ON outbox_message (participant_id);
