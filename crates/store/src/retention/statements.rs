//! The retention job's statements, one per (table, category), and what it deliberately keeps.
//! A declarative table: the SQL next to the (table, category) it handles.

use ixorg_domain::privacy::DataCategory;

use DataCategory::{
    Account, Care, Consent, Contact, Financial, Identity, NationalId, PrivacyRecord, ProviderLink,
    Technical,
};

/// How the `$1` of an expiry statement is chosen from the category's rule and the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bound {
    /// The last contract end date whose data expired ([`RetentionRule::relation_ended_by`]).
    EndedBy,
    /// The first recording date still kept ([`RetentionRule::recorded_before`]), as a date.
    Before,
    /// The same, as unix milliseconds of its midnight (UTC).
    BeforeMs,
}

/// One SQL statement of the retention job or of an erasure.
#[derive(Clone, Copy, Debug)]
pub(super) struct Statement {
    pub(super) category: DataCategory,
    pub(super) table: &'static str,
    pub(super) bound: Bound,
    pub(super) sql: &'static str,
    /// PostgreSQL's text where the dialects differ.
    pub(super) postgres: Option<&'static str>,
}

const fn stmt(
    category: DataCategory,
    table: &'static str,
    bound: Bound,
    sql: &'static str,
) -> Statement {
    Statement {
        category,
        table,
        bound,
        sql,
        postgres: None,
    }
}

/// Requests closed before `$1` (ms) that no restriction or kept change refers to.
macro_rules! closed_requests {
    () => {
        "SELECT r.privacy_request_id FROM privacy_request r \
         WHERE r.closed_at_ms < $1 \
         AND NOT EXISTS (SELECT 1 FROM processing_restriction x \
             WHERE x.privacy_request_id = r.privacy_request_id) \
         AND NOT EXISTS (SELECT 1 FROM personal_data_change h \
             WHERE h.privacy_request_id = r.privacy_request_id)"
    };
}

/// The contact fields emptied; the first two digits of the postcode stay (a region, for
/// statistics).
macro_rules! contact_cleared {
    () => {
        "street = '', house_number = 0, house_number_addition = '', \
         postcode = substr(postcode, 1, 2), city = '', email = NULL, phone = NULL"
    };
}

/// True while a participant row still holds contact data.
macro_rules! contact_held {
    () => {
        "street <> '' OR house_number <> 0 OR house_number_addition <> '' \
         OR length(postcode) > 2 OR city <> '' OR email IS NOT NULL OR phone IS NOT NULL"
    };
}

/// Participants of contracts that ended on or before `$1`.
macro_rules! ended_by {
    () => {
        "SELECT p.participant_id FROM participant p JOIN contract c \
         ON c.contract_id = p.contract_id WHERE c.end_date <= $1"
    };
}

/// Contracts whose last financial record lies in a book year before `$1`: ended before it, and
/// no contribution collected or treatment declared on or after it.
macro_rules! books_closed {
    () => {
        "SELECT c.contract_id FROM contract c WHERE c.end_date < $1 \
         AND NOT EXISTS (SELECT 1 FROM contribution k JOIN collection_run r \
             ON r.collection_run_id = k.collection_run_id \
             WHERE k.contract_id = c.contract_id AND r.collection_date >= $1) \
         AND NOT EXISTS (SELECT 1 FROM declaration_line d JOIN participant q \
             ON q.participant_id = d.participant_id \
             WHERE q.contract_id = c.contract_id AND d.treatment_date >= $1)"
    };
}

/// Participants of the contracts of [`books_closed`].
macro_rules! identity_expired {
    () => {
        concat!(
            "SELECT participant_id FROM participant WHERE contract_id IN (",
            books_closed!(),
            ")"
        )
    };
}

/// The retention job's statements, in the order they run within a category. The account's
/// participant number, site visits and the access log have functions of their own.
pub(super) const EXPIRE: &[Statement] = &[
    stmt(
        NationalId,
        "participant",
        Bound::EndedBy,
        concat!(
            "UPDATE participant SET bsn_ciphertext = NULL, bsn_blind_index = NULL \
             WHERE bsn_blind_index IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        NationalId,
        "personal_data_change",
        Bound::EndedBy,
        concat!(
            "UPDATE personal_data_change SET old_national_id = NULL \
             WHERE old_national_id IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        NationalId,
        "privacy_request",
        Bound::EndedBy,
        concat!(
            "UPDATE privacy_request SET proposed_national_id = NULL \
             WHERE proposed_national_id IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        ProviderLink,
        "participant",
        Bound::EndedBy,
        concat!(
            "UPDATE participant SET practice_id = NULL \
             WHERE practice_id IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Contact,
        "participant",
        Bound::EndedBy,
        concat!(
            "UPDATE participant SET ",
            contact_cleared!(),
            " WHERE (",
            contact_held!(),
            ") AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Contact,
        "personal_data_change",
        Bound::EndedBy,
        concat!(
            "UPDATE personal_data_change SET old_contact = NULL \
             WHERE old_contact IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Account,
        "participant_account",
        Bound::EndedBy,
        concat!(
            "DELETE FROM participant_account WHERE participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Account,
        "one_time_link",
        Bound::EndedBy,
        concat!(
            "DELETE FROM one_time_link WHERE participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Consent,
        "consent_event",
        Bound::EndedBy,
        concat!(
            "DELETE FROM consent_event WHERE participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Consent,
        "contract",
        Bound::EndedBy,
        "UPDATE contract SET provider_view_consent = (1 = 0) \
         WHERE provider_view_consent = (1 = 1) AND end_date <= $1",
    ),
    Statement {
        category: Identity,
        table: "participant",
        bound: Bound::Before,
        sql: concat!(
            "UPDATE participant SET first_names = '', initials = '', surname_prefix = '', \
             surname = '', date_of_birth = substr(date_of_birth, 1, 4) || '-01-01' \
             WHERE (surname <> '' OR first_names <> '' OR initials <> '' \
                 OR surname_prefix <> '' OR substr(date_of_birth, 6, 5) <> '01-01') \
             AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
        postgres: Some(concat!(
            "UPDATE participant SET first_names = '', initials = '', surname_prefix = '', \
             surname = '', date_of_birth = date_trunc('year', date_of_birth)::date \
             WHERE (surname <> '' OR first_names <> '' OR initials <> '' \
                 OR surname_prefix <> '' OR date_of_birth <> date_trunc('year', date_of_birth)) \
             AND participant_id IN (",
            identity_expired!(),
            ")"
        )),
    },
    stmt(
        Identity,
        "personal_data_change",
        Bound::Before,
        concat!(
            "UPDATE personal_data_change SET old_identity = NULL \
             WHERE old_identity IS NOT NULL AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Identity,
        "privacy_request",
        Bound::Before,
        concat!(
            "UPDATE privacy_request SET proposed_identity = NULL \
             WHERE proposed_identity IS NOT NULL AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "contribution",
        Bound::Before,
        "UPDATE contribution SET debtor_iban = '', debtor_name = '', amendment_from_iban = NULL \
         WHERE (debtor_iban <> '' OR debtor_name <> '' OR amendment_from_iban IS NOT NULL) \
         AND collection_run_id IN \
             (SELECT collection_run_id FROM collection_run WHERE collection_date < $1)",
    ),
    stmt(
        Financial,
        "contract",
        Bound::Before,
        concat!(
            "UPDATE contract SET iban = '', account_holder = '' \
             WHERE (iban <> '' OR account_holder <> '') AND contract_id IN (",
            books_closed!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "mandate",
        Bound::Before,
        concat!(
            "UPDATE mandate SET iban = '', account_holder = '', amended_from_iban = NULL \
             WHERE (iban <> '' OR account_holder <> '' OR amended_from_iban IS NOT NULL) \
             AND contract_id IN (",
            books_closed!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "personal_data_change",
        Bound::Before,
        concat!(
            "UPDATE personal_data_change SET old_financial = NULL \
             WHERE old_financial IS NOT NULL AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "privacy_request",
        Bound::Before,
        concat!(
            "UPDATE privacy_request SET proposed_iban = NULL, proposed_account_holder = NULL \
             WHERE (proposed_iban IS NOT NULL OR proposed_account_holder IS NOT NULL) \
             AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Care,
        "declaration_line",
        Bound::Before,
        "UPDATE declaration_line SET participant_id = NULL \
         WHERE participant_id IS NOT NULL AND treatment_date < $1",
    ),
    stmt(
        PrivacyRecord,
        "disclosure",
        Bound::BeforeMs,
        "DELETE FROM disclosure WHERE disclosed_at_ms < $1",
    ),
    stmt(
        PrivacyRecord,
        "personal_data_change",
        Bound::BeforeMs,
        "DELETE FROM personal_data_change WHERE changed_at_ms < $1",
    ),
    stmt(
        PrivacyRecord,
        "privacy_request_event",
        Bound::BeforeMs,
        concat!(
            "DELETE FROM privacy_request_event WHERE privacy_request_id IN (",
            closed_requests!(),
            ")"
        ),
    ),
    stmt(
        PrivacyRecord,
        "privacy_request",
        Bound::BeforeMs,
        concat!(
            "DELETE FROM privacy_request WHERE privacy_request_id IN (",
            closed_requests!(),
            ")"
        ),
    ),
];

/// What the retention job leaves in place, per (table, category), and why. With [`EXPIRE`] and
/// the job's own functions this covers every personal column of the registry (a test checks).
pub const KEPT_AT_EXPIRY: &[(&str, DataCategory, &str)] = &[
    (
        "participant",
        Financial,
        "the annual budget: an amount, anonymous once the identity is gone",
    ),
    (
        "ledger_account",
        Financial,
        "the ledger is append-only and names nobody; balances stay",
    ),
    (
        "ledger_transfer",
        Financial,
        "the ledger is append-only and names nobody",
    ),
    (
        "contribution",
        Financial,
        "amounts and statuses: anonymous once the debtor's IBAN and name are gone",
    ),
    (
        "contribution_line",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "bank_entry",
        Financial,
        "amounts and reason codes, naming nobody",
    ),
    ("reminder", Financial, "reason codes, naming nobody"),
    (
        "yearend_deduction",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "settlement",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "budget_change",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "contract",
        Financial,
        "dates, anonymous once the IBAN and account holder are gone",
    ),
    (
        "mandate",
        Financial,
        "the mandate reference and dates, naming nobody once the IBAN is gone",
    ),
    (
        "declaration_line",
        Financial,
        "amounts of a line that no longer names a participant",
    ),
    (
        "processing_restriction",
        PrivacyRecord,
        "restricts the data still kept; stays with the participant row",
    ),
];

/// The (table, category) pairs the retention job removes data from.
pub fn expiry_coverage() -> Vec<(&'static str, DataCategory)> {
    let mut out: Vec<(&'static str, DataCategory)> =
        EXPIRE.iter().map(|s| (s.table, s.category)).collect();
    out.extend([
        ("participant", Account),
        ("site_visit", Technical),
        ("access_log", PrivacyRecord),
    ]);
    out
}
