-- Data-subject rights: consents, versioned privacy documents, requests, change history and
-- restriction (PostgreSQL). Paired with migrations/sqlite/0004_privacy_rights.sql; every column is
-- classified in crates/domain/src/privacy/registry.rs.

-- The privacy statement and cookie policy, each version kept; the newest published one is in force.
CREATE TABLE privacy_document (
    document_kind TEXT NOT NULL CHECK (document_kind IN ('privacy_statement', 'cookie_policy')),
    version BIGINT NOT NULL CHECK (version >= 1),
    published_on DATE NOT NULL,
    change_summary TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (document_kind, version)
);

-- Every consent given or withdrawn, never changed: the newest event of a scope is in force.
-- A provider-view consent names a practice, a provider, or neither (every provider).
CREATE TABLE consent_event (
    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consent_event_id UUID NOT NULL UNIQUE,
    participant_id UUID NOT NULL REFERENCES participant (participant_id),
    consent_kind TEXT NOT NULL CHECK (consent_kind IN
        ('provider_view', 'marketing', 'optional_cookies', 'privacy_statement', 'cookie_policy')),
    practice_id UUID REFERENCES practice (practice_id),
    provider_id UUID REFERENCES provider (provider_id),
    granted BOOLEAN NOT NULL,
    document_version BIGINT,
    source TEXT NOT NULL CHECK (source IN
        ('application', 'portal', 'staff', 'objection', 'migration')),
    recorded_at_ms BIGINT NOT NULL
);
CREATE INDEX consent_event_subject ON consent_event (participant_id, consent_kind, sequence);

-- What the applications recorded before consent events existed becomes their first event.
INSERT INTO consent_event (consent_event_id, participant_id, consent_kind, granted, source,
                           recorded_at_ms)
SELECT gen_random_uuid(), p.participant_id, 'provider_view', c.provider_view_consent, 'migration',
       c.created_at_ms
FROM participant p JOIN contract c ON c.contract_id = p.contract_id
WHERE c.provider_view_consent;

-- A data-subject request (GDPR art. 15-21): answered within one month (`due_on`).
-- A rectification names the field and the proposed value (a BSN encrypted, row id as AAD).
CREATE TABLE privacy_request (
    privacy_request_id UUID NOT NULL PRIMARY KEY,
    participant_id UUID NOT NULL REFERENCES participant (participant_id),
    request_type TEXT NOT NULL CHECK (request_type IN
        ('access', 'rectification', 'erasure', 'restriction', 'objection')),
    request_status TEXT NOT NULL CHECK (request_status IN
        ('open', 'awaiting_second_approval', 'completed', 'rejected')),
    received_at_ms BIGINT NOT NULL,
    due_on DATE NOT NULL,
    owner_staff_user_id UUID REFERENCES staff_user (staff_user_id),
    field_name TEXT,
    proposed_identity TEXT,
    proposed_national_id BYTEA,
    proposed_iban TEXT,
    proposed_account_holder TEXT,
    first_approver_staff_user_id UUID REFERENCES staff_user (staff_user_id),
    outcome_summary TEXT,
    closed_at_ms BIGINT,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX privacy_request_subject ON privacy_request (participant_id);
CREATE INDEX privacy_request_status ON privacy_request (request_status, due_on);

-- The history of a request: every step, by whom.
CREATE TABLE privacy_request_event (
    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    privacy_request_id UUID NOT NULL REFERENCES privacy_request (privacy_request_id),
    event_kind TEXT NOT NULL CHECK (event_kind IN
        ('received', 'assigned', 'approved', 'rejected', 'completed', 'note')),
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_at_ms BIGINT NOT NULL
);
CREATE INDEX privacy_request_event_request ON privacy_request_event (privacy_request_id, sequence);

-- The old value of every changed personal field (rectification and self-service), one column
-- per category so that each column keeps one kind of data; a BSN stays encrypted.
CREATE TABLE personal_data_change (
    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id UUID NOT NULL REFERENCES participant (participant_id),
    field_name TEXT NOT NULL,
    category TEXT NOT NULL,
    old_identity TEXT,
    old_contact TEXT,
    old_national_id BYTEA,
    old_financial TEXT,
    privacy_request_id UUID REFERENCES privacy_request (privacy_request_id),
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    changed_at_ms BIGINT NOT NULL
);
CREATE INDEX personal_data_change_subject ON personal_data_change (participant_id, sequence);

-- A participant whose processing is restricted (art. 18, or what an erasure had to keep): only
-- the `audit` and `legal_obligation` purposes may still read their data.
CREATE TABLE processing_restriction (
    participant_id UUID NOT NULL PRIMARY KEY REFERENCES participant (participant_id),
    privacy_request_id UUID REFERENCES privacy_request (privacy_request_id),
    kept_categories TEXT NOT NULL,
    restricted_at_ms BIGINT NOT NULL
);

-- When an erasure was carried out for a participant (the row itself stays, emptied, as long as
-- financial records refer to it).
ALTER TABLE participant ADD COLUMN erased_at_ms BIGINT;
