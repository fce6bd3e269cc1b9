-- Foundation schema (SQLite). Paired with migrations/postgres/0001_foundation.sql.
-- Every column is classified in crates/domain/src/privacy/registry.rs; a test compares them.
-- Instants are BIGINT unix milliseconds (*_at_ms), dates are TEXT YYYY-MM-DD, money is cents.

CREATE TABLE product_terms_version (
    valid_from TEXT NOT NULL PRIMARY KEY,
    fee_cents_monthly_main INTEGER NOT NULL CHECK (fee_cents_monthly_main >= 0),
    fee_cents_monthly_further_adult INTEGER NOT NULL CHECK (fee_cents_monthly_further_adult >= 0),
    fee_cents_monthly_child INTEGER NOT NULL CHECK (fee_cents_monthly_child >= 0),
    child_age_years_below INTEGER NOT NULL,
    saving_cents_monthly_min INTEGER NOT NULL,
    saving_cents_monthly_max INTEGER NOT NULL,
    credit_line_cents_cap INTEGER NOT NULL CHECK (credit_line_cents_cap >= 0),
    collection_day TEXT NOT NULL,
    first_collection_sequence_frst INTEGER NOT NULL,
    yearly_checkup_code TEXT NOT NULL,
    yearly_checkup_deduction INTEGER NOT NULL,
    budget_change_upward_any_time INTEGER NOT NULL,
    budget_change_per_year_max INTEGER NOT NULL,
    termination_notice_months INTEGER NOT NULL,
    declarations_after_end_months INTEGER NOT NULL,
    start_date_months_ahead_max INTEGER NOT NULL,
    late_submission_months INTEGER NOT NULL,
    accident_cover_cents_max INTEGER NOT NULL,
    accident_cover_percent INTEGER NOT NULL,
    accident_report_months_max INTEGER NOT NULL,
    accident_treatment_years_max INTEGER NOT NULL,
    complaint_answer_weeks INTEGER NOT NULL,
    technical_data_retention_days INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE tariff_code (
    code TEXT NOT NULL PRIMARY KEY,
    code_group TEXT NOT NULL,
    description TEXT NOT NULL,
    points_hundredths INTEGER NOT NULL CHECK (points_hundredths >= 0),
    unit TEXT NOT NULL
) STRICT;

CREATE TABLE point_value (
    year INTEGER NOT NULL PRIMARY KEY,
    eur_ten_thousandths INTEGER NOT NULL CHECK (eur_ten_thousandths > 0),
    basis TEXT NOT NULL
) STRICT;

CREATE TABLE contract (
    contract_id BLOB NOT NULL PRIMARY KEY,
    contract_status TEXT NOT NULL CHECK (contract_status IN ('active', 'ended')),
    start_date TEXT NOT NULL,
    end_date TEXT,
    iban TEXT NOT NULL,
    account_holder TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE practice (
    practice_id BLOB NOT NULL PRIMARY KEY,
    agb_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE participant (
    participant_id BLOB NOT NULL PRIMARY KEY,
    contract_id BLOB NOT NULL REFERENCES contract (contract_id),
    participant_number TEXT NOT NULL UNIQUE,
    household_role TEXT NOT NULL CHECK (household_role IN ('main', 'partner', 'child')),
    first_names TEXT NOT NULL,
    initials TEXT NOT NULL,
    surname_prefix TEXT NOT NULL,
    surname TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other', 'unknown')),
    street TEXT NOT NULL,
    house_number INTEGER NOT NULL,
    house_number_addition TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    bsn_ciphertext BLOB,
    bsn_blind_index BLOB UNIQUE,
    annual_budget_cents INTEGER NOT NULL CHECK (annual_budget_cents >= 0),
    practice_id BLOB REFERENCES practice (practice_id),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CHECK ((bsn_ciphertext IS NULL) = (bsn_blind_index IS NULL))
) STRICT;
CREATE INDEX participant_contract ON participant (contract_id);
CREATE INDEX participant_identity ON participant (surname, date_of_birth, postcode);

CREATE TABLE sequence_counter (
    counter_name TEXT NOT NULL PRIMARY KEY,
    next_value INTEGER NOT NULL
) STRICT;
INSERT INTO sequence_counter (counter_name, next_value) VALUES ('participant_number', 1);

CREATE TABLE provider (
    provider_id BLOB NOT NULL PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practice (practice_id),
    agb_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE billing_intermediary (
    billing_intermediary_id BLOB NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    kvk_number TEXT UNIQUE,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE payee (
    payee_id BLOB NOT NULL PRIMARY KEY,
    practice_id BLOB UNIQUE REFERENCES practice (practice_id),
    billing_intermediary_id BLOB UNIQUE REFERENCES billing_intermediary (billing_intermediary_id),
    name TEXT NOT NULL,
    iban TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CHECK ((practice_id IS NULL) <> (billing_intermediary_id IS NULL))
) STRICT;

CREATE TABLE staff_user (
    staff_user_id BLOB NOT NULL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE role (
    role_name TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    is_staff INTEGER NOT NULL CHECK (is_staff IN (0, 1))
) STRICT;

CREATE TABLE staff_user_role (
    staff_user_id BLOB NOT NULL REFERENCES staff_user (staff_user_id),
    role_name TEXT NOT NULL REFERENCES role (role_name),
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (staff_user_id, role_name)
) STRICT;

CREATE TABLE policy_rule (
    role_name TEXT NOT NULL REFERENCES role (role_name),
    purpose TEXT NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    view TEXT NOT NULL CHECK (view IN ('full', 'masked')),
    PRIMARY KEY (role_name, purpose, category, action)
) STRICT;

CREATE TABLE chain_head (
    chain_name TEXT NOT NULL PRIMARY KEY,
    last_sequence INTEGER NOT NULL,
    last_hash BLOB NOT NULL
) STRICT;
INSERT INTO chain_head (chain_name, last_sequence, last_hash)
    VALUES ('access_log', 0, zeroblob(32)), ('ledger_transfer', 0, zeroblob(32));

CREATE TABLE access_log (
    sequence INTEGER NOT NULL PRIMARY KEY,
    occurred_at_ms INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    role_name TEXT NOT NULL,
    purpose TEXT,
    subject_id BLOB,
    categories TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused')),
    refusal TEXT,
    prev_hash BLOB NOT NULL,
    entry_hash BLOB NOT NULL
) STRICT;
CREATE INDEX access_log_subject ON access_log (subject_id, sequence);

CREATE TABLE ledger_account (
    ledger_account_id BLOB NOT NULL PRIMARY KEY,
    account_kind TEXT NOT NULL,
    account_code TEXT UNIQUE,
    participant_id BLOB REFERENCES participant (participant_id),
    payee_id BLOB UNIQUE REFERENCES payee (payee_id),
    credit_line_cents INTEGER NOT NULL CHECK (credit_line_cents >= 0),
    balance_cents INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CHECK (account_kind <> 'budget' OR balance_cents >= -credit_line_cents),
    UNIQUE (participant_id, account_kind)
) STRICT;

CREATE TABLE ledger_transfer (
    sequence INTEGER NOT NULL PRIMARY KEY,
    ledger_transfer_id BLOB NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    debit_account_id BLOB NOT NULL REFERENCES ledger_account (ledger_account_id),
    credit_account_id BLOB NOT NULL REFERENCES ledger_account (ledger_account_id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    transfer_kind TEXT NOT NULL,
    reverses_transfer_id BLOB REFERENCES ledger_transfer (ledger_transfer_id),
    posted_at_ms INTEGER NOT NULL,
    prev_hash BLOB NOT NULL,
    entry_hash BLOB NOT NULL,
    CHECK (debit_account_id <> credit_account_id)
) STRICT;
CREATE INDEX ledger_transfer_debit ON ledger_transfer (debit_account_id);
CREATE INDEX ledger_transfer_credit ON ledger_transfer (credit_account_id);

-- Append-only: the ledger and the access log are never updated or deleted.
CREATE TRIGGER ledger_transfer_no_update BEFORE UPDATE ON ledger_transfer
BEGIN SELECT RAISE(ABORT, 'ledger_transfer is append-only'); END;
CREATE TRIGGER ledger_transfer_no_delete BEFORE DELETE ON ledger_transfer
BEGIN SELECT RAISE(ABORT, 'ledger_transfer is append-only'); END;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
