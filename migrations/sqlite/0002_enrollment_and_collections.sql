-- Enrollment, mandates, collections and bank reconciliation (SQLite).
-- Paired with migrations/postgres/0002_enrollment_and_collections.sql; every column is
-- classified in crates/domain/src/privacy/registry.rs.

ALTER TABLE product_terms_version ADD COLUMN premium_cents_monthly_adult INTEGER NOT NULL DEFAULT 60;

ALTER TABLE contract ADD COLUMN notice_given_on TEXT;
ALTER TABLE contract ADD COLUMN provider_view_consent INTEGER NOT NULL DEFAULT 0;

-- One SEPA mandate per contract at a time. The debtor IBAN lives here; a change of IBAN keeps
-- the previous one until the next collection has carried the amendment to the bank.
CREATE TABLE mandate (
    mandate_id TEXT NOT NULL PRIMARY KEY,
    contract_id BLOB NOT NULL REFERENCES contract (contract_id),
    signed_on TEXT NOT NULL,
    iban TEXT NOT NULL,
    account_holder TEXT NOT NULL,
    amended_from_iban TEXT,
    successful_collections INTEGER NOT NULL DEFAULT 0,
    last_first_failed INTEGER NOT NULL DEFAULT 0 CHECK (last_first_failed IN (0, 1)),
    mandate_status TEXT NOT NULL CHECK (mandate_status IN ('active', 'stopped', 'ended')),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX mandate_contract ON mandate (contract_id);

-- A one-time link for the main participant to set a portal password: only its hash is kept.
CREATE TABLE portal_activation (
    token_hash BLOB NOT NULL PRIMARY KEY,
    participant_id BLOB NOT NULL REFERENCES participant (participant_id),
    expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- Every application and its outcome. A rejected application keeps only its reason codes.
CREATE TABLE application (
    application_id BLOB NOT NULL PRIMARY KEY,
    application_status TEXT NOT NULL CHECK (application_status IN ('accepted', 'rejected')),
    contract_id BLOB REFERENCES contract (contract_id),
    rejection_codes TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL
) STRICT;

-- A collection run: one pain.008 file for one collection date.
CREATE TABLE collection_run (
    collection_run_id BLOB NOT NULL PRIMARY KEY,
    collection_date TEXT NOT NULL UNIQUE,
    message_id TEXT NOT NULL UNIQUE,
    transactions INTEGER NOT NULL,
    control_sum_cents INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- One direct debit: a contract's contribution for one collection date.
CREATE TABLE contribution (
    contribution_id BLOB NOT NULL PRIMARY KEY,
    collection_run_id BLOB NOT NULL REFERENCES collection_run (collection_run_id),
    contract_id BLOB NOT NULL REFERENCES contract (contract_id),
    mandate_id TEXT NOT NULL REFERENCES mandate (mandate_id),
    end_to_end_id TEXT NOT NULL UNIQUE,
    sequence_type TEXT NOT NULL CHECK (sequence_type IN ('FRST', 'RCUR', 'OOFF', 'FNAL')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    amendment_from_iban TEXT,
    -- The debtor as written to the file, so the same run always writes the same file.
    debtor_iban TEXT NOT NULL,
    debtor_name TEXT NOT NULL,
    mandate_signed_on TEXT NOT NULL,
    contribution_status TEXT NOT NULL
        CHECK (contribution_status IN ('sent', 'settled', 'returned', 'rejected')),
    return_reason TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    UNIQUE (collection_run_id, contract_id)
) STRICT;

CREATE INDEX contribution_contract ON contribution (contract_id);

-- What each member of the contract pays within one contribution.
CREATE TABLE contribution_line (
    contribution_id BLOB NOT NULL REFERENCES contribution (contribution_id),
    participant_id BLOB NOT NULL REFERENCES participant (participant_id),
    saving_cents INTEGER NOT NULL CHECK (saving_cents >= 0),
    fee_cents INTEGER NOT NULL CHECK (fee_cents >= 0),
    premium_cents INTEGER NOT NULL CHECK (premium_cents >= 0),
    PRIMARY KEY (contribution_id, participant_id)
) STRICT;
CREATE INDEX contribution_line_participant ON contribution_line (participant_id);

-- An imported bank file (camt.053 statement or pain.002 status report), by content hash.
CREATE TABLE bank_file (
    bank_file_id BLOB NOT NULL PRIMARY KEY,
    file_kind TEXT NOT NULL CHECK (file_kind IN ('camt053', 'pain002')),
    content_sha256 BLOB NOT NULL UNIQUE,
    document_id TEXT NOT NULL,
    entries INTEGER NOT NULL,
    imported_at_ms INTEGER NOT NULL
) STRICT;

-- One entry (or transaction detail) of a bank file and what it was matched to.
CREATE TABLE bank_entry (
    bank_file_id BLOB NOT NULL REFERENCES bank_file (bank_file_id),
    entry_index INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    credit INTEGER NOT NULL CHECK (credit IN (0, 1)),
    end_to_end_id TEXT,
    reason_code TEXT,
    match_outcome TEXT NOT NULL
        CHECK (match_outcome IN ('settled', 'returned', 'rejected', 'unmatched', 'duplicate', 'ignored')),
    contribution_id BLOB REFERENCES contribution (contribution_id),
    PRIMARY KEY (bank_file_id, entry_index)
) STRICT;
CREATE INDEX bank_entry_unmatched ON bank_entry (match_outcome);

-- The reminder flow after a failed collection, one row per step taken.
CREATE TABLE reminder (
    contribution_id BLOB NOT NULL REFERENCES contribution (contribution_id),
    contract_id BLOB NOT NULL REFERENCES contract (contract_id),
    reason_code TEXT NOT NULL,
    failures_in_a_row INTEGER NOT NULL,
    reminder_step TEXT NOT NULL,
    retried_by_contribution_id BLOB REFERENCES contribution (contribution_id),
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (contribution_id)
) STRICT;
CREATE INDEX reminder_contract ON reminder (contract_id);

-- Year-end check-up deductions and why, for the participant to see.
CREATE TABLE yearend_deduction (
    participant_id BLOB NOT NULL REFERENCES participant (participant_id),
    year INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (participant_id, year)
) STRICT;

-- The final settlement of an ended contract: a payout of a positive balance or a final
-- collection of a negative one.
CREATE TABLE settlement (
    contract_id BLOB NOT NULL PRIMARY KEY REFERENCES contract (contract_id),
    end_date TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('payout', 'collect', 'none')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    end_to_end_id TEXT UNIQUE,
    settled_at_ms INTEGER NOT NULL
) STRICT;

-- The operator's own bank details as creditor (one row), used in SEPA files and to check that
-- a bank statement is for the operator's account.
CREATE TABLE operator_profile (
    profile_key TEXT NOT NULL PRIMARY KEY CHECK (profile_key = 'operator'),
    legal_name TEXT NOT NULL,
    iban TEXT NOT NULL,
    bic TEXT,
    creditor_id TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX participant_birth_postcode ON participant (date_of_birth, postcode);

-- Changes of the annual budget: applied at once or from a later date (by the collection run).
CREATE TABLE budget_change (
    budget_change_id BLOB NOT NULL PRIMARY KEY,
    participant_id BLOB NOT NULL REFERENCES participant (participant_id),
    effective_from TEXT NOT NULL,
    old_annual_cents INTEGER NOT NULL,
    new_annual_cents INTEGER NOT NULL CHECK (new_annual_cents >= 0),
    counts_as_yearly_change INTEGER NOT NULL CHECK (counts_as_yearly_change IN (0, 1)),
    requested_at_ms INTEGER NOT NULL,
    applied_at_ms INTEGER
) STRICT;
CREATE INDEX budget_change_pending ON budget_change (effective_from);
