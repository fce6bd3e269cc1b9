-- Processors and disclosures (PostgreSQL). Paired with migrations/sqlite/0006_processors.sql;
-- every column is classified in crates/domain/src/privacy/registry.rs.

-- The processor register: each processor with its processor agreement and what it covers
-- (comma-separated category and purpose names). A processor acts only while its agreement is
-- in force (from `signed_on` to `ends_on`, both included; no end: open-ended).
CREATE TABLE processor (
    processor_id UUID NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    agreement_reference TEXT NOT NULL,
    signed_on DATE NOT NULL,
    ends_on DATE,
    categories TEXT NOT NULL,
    purposes TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= signed_on)
);

-- Every disclosure of a participant's data to a third party, with its legal ground (a closed
-- vocabulary: crates/domain/src/recipients.rs). Never changed.
CREATE TABLE disclosure (
    disclosure_id UUID NOT NULL PRIMARY KEY,
    participant_id UUID NOT NULL REFERENCES participant (participant_id),
    recipient TEXT NOT NULL,
    categories TEXT NOT NULL,
    legal_ground TEXT NOT NULL CHECK (legal_ground IN
        ('tax_authority', 'criminal_investigation', 'supervisor', 'court_order', 'garnishment')),
    reference TEXT NOT NULL,
    disclosed_at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL
);
CREATE INDEX disclosure_subject ON disclosure (participant_id, disclosed_at_ms);
