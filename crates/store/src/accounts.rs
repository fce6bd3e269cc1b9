//! Portal accounts: the password hash and lock-out state of a participant's log-in, and the
//! participant's language.
//!
//! Reading who may log in ([`login_subject_by_number`], [`login_subject`]) is part of an access
//! decision (authentication) and takes no grant, like `participants::represented_member`: it
//! returns keys, the role, the language, whether the contract ended and the account's state.
//! Writing a password takes a grant that covers the account data.

use ixorg_domain::Language;
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::terms::HouseholdRole;
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// A portal account's stored state. `Debug` leaves the password hash out.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// The Argon2id PHC string.
    pub password_hash: String,
    /// When the password was last set (sessions made before it are void).
    pub password_changed_at: Timestamp,
    /// Wrong passwords in a row since the last success or lock.
    pub failed_logins: u32,
    /// Until when the account is locked, if it was.
    pub locked_until: Option<Timestamp>,
    /// The last successful log-in.
    pub last_login_at: Option<Timestamp>,
}

impl std::fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRecord")
            .field("password_changed_at", &self.password_changed_at)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

/// What an access decision about a log-in needs to know of a participant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginSubject {
    /// The participant.
    pub participant: ParticipantId,
    /// Their number (what they log in with).
    pub number: ParticipantNumber,
    /// Main, partner or child.
    pub role: HouseholdRole,
    /// The language of their portal and messages.
    pub language: Language,
    /// Whether their contract has ended (status `ended`, or an end date on or before today),
    /// or their account data was removed.
    pub contract_ended: bool,
    /// Their account, once activated.
    pub account: Option<AccountRecord>,
}

#[derive(sqlx::FromRow)]
struct SubjectRow {
    participant_id: Uuid,
    participant_number: String,
    household_role: String,
    language: String,
    contract_status: String,
    end_date: Option<Date>,
    account_closed_at_ms: Option<i64>,
    password_hash: Option<String>,
    password_changed_at_ms: Option<i64>,
    failed_logins: Option<i64>,
    locked_until_ms: Option<i64>,
    last_login_at_ms: Option<i64>,
}

/// The query of a [`LoginSubject`] with the given `WHERE` clause.
macro_rules! select_subject {
    ($where:literal) => {
        concat!(
            "SELECT p.participant_id, p.participant_number, p.household_role, p.language, \
             c.contract_status, c.end_date, p.account_closed_at_ms, a.password_hash, \
             a.password_changed_at_ms, a.failed_logins, a.locked_until_ms, a.last_login_at_ms \
             FROM participant p JOIN contract c ON c.contract_id = p.contract_id \
             LEFT JOIN participant_account a ON a.participant_id = p.participant_id ",
            $where
        )
    };
}

fn subject_of(r: SubjectRow, today: Date) -> Result<LoginSubject, Error> {
    let bad = |column| corrupt("participant", column);
    let account = match (r.password_hash, r.password_changed_at_ms) {
        (Some(password_hash), Some(changed)) => Some(AccountRecord {
            password_hash,
            password_changed_at: Timestamp::from_unix_ms(changed),
            failed_logins: r
                .failed_logins
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| corrupt("participant_account", "failed_logins"))?,
            locked_until: r.locked_until_ms.map(Timestamp::from_unix_ms),
            last_login_at: r.last_login_at_ms.map(Timestamp::from_unix_ms),
        }),
        _ => None,
    };
    Ok(LoginSubject {
        participant: ParticipantId::from_uuid(r.participant_id),
        number: r
            .participant_number
            .parse()
            .map_err(|_| bad("participant_number"))?,
        role: r
            .household_role
            .parse()
            .map_err(|_| bad("household_role"))?,
        language: Language::from_code(&r.language).ok_or_else(|| bad("language"))?,
        contract_ended: r.contract_status == "ended"
            || r.end_date.is_some_and(|end| end <= today)
            || r.account_closed_at_ms.is_some(),
        account,
    })
}

/// The participant with `number`, for a log-in or a reset request (see the module docs).
pub async fn login_subject_by_number(
    tx: &mut Tx,
    number: &ParticipantNumber,
    today: Date,
) -> Result<Option<LoginSubject>, Error> {
    const SQL: &str = select_subject!("WHERE p.participant_number = $1");
    let row: Option<SubjectRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(number.as_str())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(|r| subject_of(r, today)).transpose()
}

/// The participant `participant`, for a log-in check of a session (see the module docs).
pub async fn login_subject(
    tx: &mut Tx,
    participant: ParticipantId,
    today: Date,
) -> Result<Option<LoginSubject>, Error> {
    const SQL: &str = select_subject!("WHERE p.participant_id = $1");
    let row: Option<SubjectRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(|r| subject_of(r, today)).transpose()
}

/// Sets the password of `participant`, making the account when it has none. Clears a lock-out
/// and the count of wrong passwords. The grant must cover changing this subject's account data.
pub async fn set_password(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    password_hash: &str,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO participant_account (participant_id, password_hash, \
         password_changed_at_ms, failed_logins, locked_until_ms, last_login_at_ms, \
         created_at_ms, updated_at_ms) VALUES ($1, $2, $3, 0, NULL, NULL, $3, $3) \
         ON CONFLICT (participant_id) DO UPDATE SET password_hash = excluded.password_hash, \
         password_changed_at_ms = excluded.password_changed_at_ms, failed_logins = 0, \
         locked_until_ms = NULL, updated_at_ms = excluded.updated_at_ms";
    grant.require(Some(participant), &[DataCategory::Account], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(password_hash)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a wrong password: adds one to the count of failures in a row in one statement (so
/// log-ins racing each other all count) and returns the count before it. Part of the log-in
/// decision: no grant.
pub async fn count_failure(
    tx: &mut Tx,
    participant: ParticipantId,
    now: Timestamp,
) -> Result<u32, Error> {
    const SQL: &str = "UPDATE participant_account SET failed_logins = failed_logins + 1, \
         updated_at_ms = $1 WHERE participant_id = $2 RETURNING failed_logins - 1";
    let before: i64 = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(now.unix_ms())
        .bind(participant.uuid())
        .fetch_one(&mut *c)
        .await)?;
    u32::try_from(before).map_err(|_| corrupt("participant_account", "failed_logins"))
}

/// Locks an account until `until`; the count of failures starts again. Part of the log-in
/// decision: no grant.
pub async fn lock(
    tx: &mut Tx,
    participant: ParticipantId,
    until: Timestamp,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE participant_account SET failed_logins = 0, locked_until_ms = $1, \
         updated_at_ms = $2 WHERE participant_id = $3";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(until.unix_ms())
        .bind(now.unix_ms())
        .bind(participant.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a successful log-in: the count of failures starts again and a lock that has run out
/// is cleared. Part of the log-in decision: no grant.
pub async fn record_success(
    tx: &mut Tx,
    participant: ParticipantId,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE participant_account SET failed_logins = 0, \
         locked_until_ms = NULL, last_login_at_ms = $1, updated_at_ms = $1 \
         WHERE participant_id = $2";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(now.unix_ms())
        .bind(participant.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the language of a participant's portal and messages (a setting, not personal data).
/// Fails with [`Error::NotFound`] for an unknown participant.
pub async fn set_language(
    tx: &mut Tx,
    participant: ParticipantId,
    language: Language,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str =
        "UPDATE participant SET language = $1, updated_at_ms = $2 WHERE participant_id = $3";
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(language.code())
        .bind(now.unix_ms())
        .bind(participant.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// The mail details of a participant: what a message to them needs. `Debug` shows no value.
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The e-mail address on file, if any.
    pub email: Option<String>,
    /// Initials, prefix and surname, for the greeting.
    pub name: String,
    /// Their participant number (they log in with it).
    pub number: ParticipantNumber,
    /// The language of their messages.
    pub language: Language,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipient")
            .field("has_email", &self.email.is_some())
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// The mail details of `participant`. The grant must be a read covering identity, contact and
/// account data (of this subject, or of anyone for a job).
pub async fn recipient(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Option<Recipient>, Error> {
    const SQL: &str = "SELECT email, initials, surname_prefix, surname, participant_number, \
         language FROM participant WHERE participant_id = $1";
    let categories = [
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::Account,
    ];
    grant.require(Some(participant), &categories, Action::Read)?;
    type Row = (Option<String>, String, String, String, String, String);
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(|(email, initials, prefix, surname, number, language)| {
        let name = [initials.as_str(), prefix.as_str(), surname.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Recipient {
            email: email.filter(|e| !e.trim().is_empty()),
            name,
            number: number
                .parse()
                .map_err(|_| corrupt("participant", "participant_number"))?,
            language: Language::from_code(&language)
                .ok_or_else(|| corrupt("participant", "language"))?,
        })
    })
    .transpose()
}
