//! Portal accounts: activation by a one-time link, log-in with lock-out, password reset by a
//! one-time link, password change, and the participant's language.
//!
//! Who has a log-in: the main participant, and each adult partner with an e-mail address of their
//! own (`domain::account::gets_own_log_in`); children never, and no one whose contract ended.
//! Passwords are Argon2id PHC strings (`argon2` 0.6 with its defaults, like staff passwords),
//! hashed on the blocking pool so a log-in does not stall the async workers.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use ixorg_domain::Language;
use ixorg_domain::account::{self, LinkPurpose};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::outbox::MessageKind;
use ixorg_domain::password::{Password, PasswordRule};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_domain::terms::HouseholdRole;
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::accounts::{self as repo, LoginSubject};
use ixorg_store::gate::AccessRequest;
use ixorg_store::outbox::{self, Message};
use ixorg_store::{Tx, one_time_links};
use sha2::{Digest, Sha256};

use crate::access::AccessError;
use crate::context::AppContext;

/// The name of this use case's job in the access log.
const JOB: &str = "portal-accounts";

/// Bytes of randomness in a one-time link's token (256 bits).
pub const LINK_TOKEN_BYTES: usize = 32;

/// A participant who is logged in (or may be). The web layer keeps `participant` and
/// `password_changed_at` in the session and drops the session when [`current_user`] returns a
/// different `password_changed_at` (the password changed elsewhere) or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalUser {
    /// The participant.
    pub participant: ParticipantId,
    /// Their participant number (what they log in with).
    pub number: ParticipantNumber,
    /// Main participant or partner (never a child).
    pub role: HouseholdRole,
    /// The language of their portal and messages.
    pub language: Language,
    /// When the password was last set.
    pub password_changed_at: Timestamp,
}

/// Why an account action failed. `Display` names the rule, never a value.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The link is unknown, used, expired, or for someone who may not log in (one answer for
    /// all, so a link reveals nothing).
    #[error("this link is not valid: it is unknown, was used already or has expired")]
    InvalidLink,
    /// The new password breaks the password policy.
    #[error(transparent)]
    Password(#[from] PasswordRule),
    /// The current password given for a change is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The participant has no portal log-in (none was activated, a child, an ended contract).
    #[error("this participant has no portal log-in")]
    NoLogIn,
    /// The privacy gate refused (the refusal is in the access log).
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// Hashing or randomness failed.
    #[error("password hashing failed")]
    Hash,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl From<AccessError> for AccountError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Refused(r) => AccountError::Refused(r),
            AccessError::Store(s) => AccountError::Store(s),
        }
    }
}

/// Why a log-in was refused. Wrong number, wrong password, a child, an ended contract and an
/// account never activated all give [`LoginRefused::WrongCredentials`], after the same work.
#[derive(Debug, thiserror::Error)]
pub enum LoginRefused {
    /// The number and password do not match a participant who may log in.
    #[error("the participant number or the password is wrong")]
    WrongCredentials,
    /// Too many wrong passwords: the account is locked until `until` (it lifts by itself).
    #[error("too many wrong passwords; the account is locked for a while")]
    Locked {
        /// When the lock lifts.
        until: Timestamp,
    },
    /// The database or the hasher failed (not the user's fault).
    #[error("the log-in could not be checked")]
    Unexpected(#[source] AccountError),
}

/// The Argon2id hasher (the crate defaults: 19 MiB, 2 passes, 1 lane, the OWASP minimum).
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

/// Hashes a password on the blocking pool.
async fn hash(password: &Password) -> Result<String, AccountError> {
    let text = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(text.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| AccountError::Hash)
    })
    .await
    .map_err(|_| AccountError::Hash)?
}

/// Checks `password` against `stored` on the blocking pool; `None` checks against a dummy hash
/// (the same work, always false), so an unknown participant costs as much as a known one.
async fn verify(password: &str, stored: Option<String>) -> Result<bool, AccountError> {
    let text = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match stored {
            Some(phc) => (phc, true),
            None => (dummy_hash()?.to_owned(), false),
        };
        let matches = hasher()
            .verify_password(text.as_bytes(), phc.as_str())
            .is_ok();
        Ok(real && matches)
    })
    .await
    .map_err(|_| AccountError::Hash)?
}

/// A hash of a random password with the same parameters as real ones, made once.
fn dummy_hash() -> Result<&'static str, AccountError> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let mut secret = [0u8; LINK_TOKEN_BYTES];
            getrandom::fill(&mut secret).ok()?;
            let hash = hasher().hash_password(&secret).ok()?;
            Some(hash.to_string())
        })
        .as_deref()
        .ok_or(AccountError::Hash)
}

/// A new one-time link token: the text for the URL (64 hex digits) and the SHA-256 to store.
pub(crate) fn new_link_token() -> Result<(String, Vec<u8>), AccountError> {
    let mut raw = [0u8; LINK_TOKEN_BYTES];
    getrandom::fill(&mut raw).map_err(|_| AccountError::Hash)?;
    Ok((hex::encode(raw), Sha256::digest(raw).to_vec()))
}

/// The stored hash of a token as given in a URL, or `None` when it is not 64 hex digits.
fn token_hash(token: &str) -> Option<Vec<u8>> {
    let raw = hex::decode(token.trim()).ok()?;
    (raw.len() == LINK_TOKEN_BYTES).then(|| Sha256::digest(&raw).to_vec())
}

/// The user a subject is, when they may log in and have an account.
fn user_of(subject: LoginSubject) -> Option<PortalUser> {
    let account = subject.account?;
    account::may_log_in(subject.role, subject.contract_ended).then_some(PortalUser {
        participant: subject.participant,
        number: subject.number,
        role: subject.role,
        language: subject.language,
        password_changed_at: account.password_changed_at,
    })
}

/// The new password stamp: now, and always later than the one before (so a session made
/// before the change never matches, even within one millisecond).
fn next_stamp(now: Timestamp, before: Option<Timestamp>) -> Timestamp {
    match before {
        Some(b) if b >= now => b.saturating_add_ms(1),
        _ => now,
    }
}

/// Redeems a one-time link of `purpose` and sets `password`: the shared part of activation
/// and reset. The password is checked before the link is used, so a refused password leaves
/// the link working.
async fn redeem_and_set(
    ctx: &AppContext,
    purpose: LinkPurpose,
    token: &str,
    password: &str,
) -> Result<PortalUser, AccountError> {
    let password = Password::parse(password)?;
    let token_hash = token_hash(token).ok_or(AccountError::InvalidLink)?;
    let password_hash = hash(&password).await?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let Some(participant) = one_time_links::redeem(&mut tx, &token_hash, purpose, now).await?
    else {
        return Err(AccountError::InvalidLink);
    };
    let subject = repo::login_subject(&mut tx, participant, ctx.clock.today())
        .await?
        .filter(|s| account::may_log_in(s.role, s.contract_ended))
        .filter(|s| purpose == LinkPurpose::Activation || s.account.is_some())
        .ok_or(AccountError::InvalidLink)?;
    let before = subject.account.as_ref().map(|a| a.password_changed_at);
    let stamp = next_stamp(now, before);
    set_password_in(ctx, &mut tx, participant, &password_hash, stamp).await?;
    one_time_links::void_unused(&mut tx, participant, purpose, now).await?;
    tx.commit().await?;
    tracing::info!(participant.id = %participant, link = purpose.as_str(), "Portal password set by link");
    Ok(PortalUser {
        participant,
        number: subject.number,
        role: subject.role,
        language: subject.language,
        password_changed_at: stamp,
    })
}

/// Stores a password hash as the platform's account job (the grant is logged).
async fn set_password_in(
    ctx: &AppContext,
    tx: &mut Tx,
    participant: ParticipantId,
    password_hash: &str,
    stamp: Timestamp,
) -> Result<(), AccountError> {
    let categories = vec![DataCategory::Account];
    let purpose = Purpose::ServiceDelivery;
    let grant = crate::access::job_grant(ctx, tx, JOB, purpose, categories, Action::Change).await?;
    repo::set_password(tx, &grant, participant, password_hash, stamp).await?;
    Ok(())
}

/// Activates a portal account: redeems an activation link (once, before it expires) and sets
/// the first password.
///
/// # Errors
/// [`AccountError::Password`] when the password breaks the policy (the link still works),
/// [`AccountError::InvalidLink`] for a link that is unknown, used or expired.
pub async fn activate(
    ctx: &AppContext,
    token: &str,
    password: &str,
) -> Result<PortalUser, AccountError> {
    redeem_and_set(ctx, LinkPurpose::Activation, token, password).await
}

/// Sets a new password with a password-reset link (once, within the hour); clears a lock-out.
///
/// # Errors
/// As [`activate`].
pub async fn reset_password(
    ctx: &AppContext,
    token: &str,
    new_password: &str,
) -> Result<PortalUser, AccountError> {
    redeem_and_set(ctx, LinkPurpose::PasswordReset, token, new_password).await
}

/// Logs a participant in with their number and password.
///
/// The same Argon2 work is done whether or not the number exists (a dummy hash), so the time
/// taken does not tell who is a participant. A locked account is refused without checking the
/// password; the [`account::LOGIN_FAILURES_MAX`]th wrong password in a row locks it for
/// [`account::LOCKOUT_MS`] (and says so); a successful log-in starts the count again.
///
/// # Errors
/// [`LoginRefused`].
pub async fn login(
    ctx: &AppContext,
    participant_number: &ParticipantNumber,
    password: &str,
) -> Result<PortalUser, LoginRefused> {
    let unexpected = |e: AccountError| LoginRefused::Unexpected(e);
    let now = ctx.now();
    let mut tx = ctx
        .db
        .begin_read()
        .await
        .map_err(|e| unexpected(e.into()))?;
    let subject = repo::login_subject_by_number(&mut tx, participant_number, ctx.clock.today())
        .await
        .map_err(|e| unexpected(e.into()))?;
    tx.rollback().await.map_err(|e| unexpected(e.into()))?;
    let subject = subject.filter(|s| account::may_log_in(s.role, s.contract_ended));
    let Some((subject, stored)) = subject.and_then(|s| {
        let stored = s.account.clone()?;
        Some((s, stored))
    }) else {
        verify(password, None).await.map_err(unexpected)?;
        return Err(LoginRefused::WrongCredentials);
    };
    if let Some(until) = stored
        .locked_until
        .filter(|u| account::is_locked(Some(*u), now))
    {
        return Err(LoginRefused::Locked { until });
    }
    let matches = verify(password, Some(stored.password_hash.clone()))
        .await
        .map_err(unexpected)?;
    let participant = subject.participant;
    let lock = record_outcome(ctx, participant, matches, now)
        .await
        .map_err(unexpected)?;
    if let Some(until) = lock {
        tracing::warn!(participant.id = %participant, "Portal account locked after wrong passwords");
        return Err(LoginRefused::Locked { until });
    }
    if !matches {
        return Err(LoginRefused::WrongCredentials);
    }
    Ok(user_of(subject).expect("BUG: a subject with an account who may log in is a user"))
}

/// Records a log-in's outcome: a success starts the count of failures again; a failure counts
/// (atomically) and locks the account at the limit, returning the lock's end.
async fn record_outcome(
    ctx: &AppContext,
    participant: ParticipantId,
    matches: bool,
    now: Timestamp,
) -> Result<Option<Timestamp>, AccountError> {
    let mut tx = ctx.db.begin().await?;
    let lock = if matches {
        repo::record_success(&mut tx, participant, now).await?;
        None
    } else {
        let before = repo::count_failure(&mut tx, participant, now).await?;
        let (_, lock) = account::after_wrong_password(before, now);
        if let Some(until) = lock {
            repo::lock(&mut tx, participant, until, now).await?;
        }
        lock
    };
    tx.commit().await?;
    Ok(lock)
}

/// Asks for a password-reset message: when `participant_number` belongs to a participant with
/// a portal log-in, a `password_reset` message is stored in the outbox (in this transaction;
/// the sender makes its one-time link), unless one is waiting already. The answer is the same
/// `()` whether or not the number has a log-in, so it reveals nothing.
///
/// # Errors
/// Only when the database fails.
pub async fn request_password_reset(
    ctx: &AppContext,
    participant_number: &ParticipantNumber,
) -> Result<(), AccountError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let user = repo::login_subject_by_number(&mut tx, participant_number, ctx.clock.today())
        .await?
        .and_then(user_of);
    if let Some(user) = user {
        let kind = MessageKind::PasswordReset;
        if !outbox::has_waiting(&mut tx, user.participant, kind).await? {
            let message = Message {
                id: ctx.ids.new_uuid(),
                kind,
                participant: user.participant,
                application: None,
                created_at: now,
                sent_at: None,
            };
            outbox::insert_message(&mut tx, &message).await?;
            tracing::info!(participant.id = %user.participant, "Password reset asked");
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Changes the password of a logged-in user who gives the current one. The password stamp
/// changes (so every other session of theirs ends) and a lock-out is cleared. Returns the user
/// with the new stamp (the caller keeps its own session with it).
///
/// # Errors
/// [`AccountError::WrongPassword`], [`AccountError::Password`] for a new password that breaks
/// the policy, [`AccountError::NoLogIn`] when the user may no longer log in.
pub async fn change_password(
    ctx: &AppContext,
    user: &PortalUser,
    old_password: &str,
    new_password: &str,
) -> Result<PortalUser, AccountError> {
    let new_password = Password::parse(new_password)?;
    let participant = user.participant;
    let mut tx = ctx.db.begin_read().await?;
    let subject = repo::login_subject(&mut tx, participant, ctx.clock.today()).await?;
    tx.rollback().await?;
    let subject = subject
        .filter(|s| account::may_log_in(s.role, s.contract_ended))
        .ok_or(AccountError::NoLogIn)?;
    let stored = subject.account.clone().ok_or(AccountError::NoLogIn)?;
    if !verify(old_password, Some(stored.password_hash.clone())).await? {
        return Err(AccountError::WrongPassword);
    }
    let password_hash = hash(&new_password).await?;
    let stamp = next_stamp(ctx.now(), Some(stored.password_changed_at));
    let request = own_account_request(participant);
    let (mut tx, grant) = crate::access::begin(ctx, request).await?;
    repo::set_password(&mut tx, &grant, participant, &password_hash, stamp).await?;
    one_time_links::void_unused(&mut tx, participant, LinkPurpose::PasswordReset, ctx.now())
        .await?;
    tx.commit().await?;
    tracing::info!(participant.id = %participant, "Portal password changed");
    Ok(PortalUser {
        password_changed_at: stamp,
        ..user_of(subject).ok_or(AccountError::NoLogIn)?
    })
}

/// A participant changing their own account data (self-service, not logged).
fn own_account_request(participant: ParticipantId) -> AccessRequest {
    AccessRequest {
        actor: Actor::Participant(participant),
        role: Role::Participant,
        purpose: Some(Purpose::ServiceDelivery),
        subject: Some(participant),
        categories: vec![DataCategory::Account],
        action: Action::Change,
    }
}

/// The portal user `participant` is now, or `None` when they may not log in (no account, a
/// child, an ended contract). The web layer calls this on every request of a session and drops
/// the session when it is `None` or its `password_changed_at` differs from the session's.
///
/// # Errors
/// Only when the database fails.
pub async fn current_user(
    ctx: &AppContext,
    participant: ParticipantId,
) -> Result<Option<PortalUser>, AccountError> {
    let mut tx = ctx.db.begin_read().await?;
    let subject = repo::login_subject(&mut tx, participant, ctx.clock.today()).await?;
    tx.rollback().await?;
    Ok(subject.and_then(user_of))
}

/// Sets the language of a participant's portal and messages.
///
/// # Errors
/// [`AccountError::Store`] with `NotFound` for an unknown participant.
pub async fn set_language(
    ctx: &AppContext,
    participant: ParticipantId,
    language: Language,
) -> Result<(), AccountError> {
    let mut tx = ctx.db.begin().await?;
    repo::set_language(&mut tx, participant, language, ctx.now()).await?;
    tx.commit().await?;
    Ok(())
}
