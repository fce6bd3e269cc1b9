//! The mail sender: takes due messages from the outbox, composes them in the participant's
//! language (plain text and HTML), makes the one-time link where the message needs one, and
//! hands them to a [`MailTransport`] (`lettre`: SMTP, or `.eml` files for the demo and tests).
//!
//! A message is claimed in a short transaction (its next try moves ahead by a lease, so a second
//! sender leaves it alone), sent outside any transaction, and then marked sent in the same
//! transaction that stores its link's hash: a message is sent at least once. A failed send is
//! tried again after 1 min, 5 min, 30 min, 2 h, then every 12 h, with its tries and error class
//! kept for staff; a participant without an e-mail address makes it undeliverable. The outbox
//! holds no address and no secret: the address is read through the privacy gate when sending.

pub mod compose;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use ixorg_domain::outbox::{DeliveryError, retry_delay_ms};
use ixorg_domain::privacy::{Action, DataCategory, Purpose, Refusal};
use ixorg_store::accounts::Recipient;
/// A message as the outbox list shows it (re-exported for the CLI and the web layer).
pub use ixorg_store::outbox::OutboxEntry;
use ixorg_store::outbox::{self, DueMessage};
use ixorg_store::{accounts, one_time_links};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::access::AccessError;
use crate::context::AppContext;

/// The name of the sender's job in the access log.
const JOB: &str = "mail-sender";

/// The sender address when none is configured (`IXORG_MAIL_FROM`).
pub const DEFAULT_FROM: &str = "ixorg <no-reply@ixorg.nl>";

/// How long a claimed message is left alone by other senders while this one sends it.
const LEASE_MS: i64 = 5 * 60_000;

/// The longest one send may take (connect, TLS, SMTP dialogue, or writing the file).
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// The most messages one [`send_due`] call sends (the loop calls it again soon).
pub const SEND_BATCH_MAX: usize = 200;

/// How often [`run_sender`] looks for due messages.
pub const SENDER_INTERVAL: Duration = Duration::from_secs(5);

/// The most outbox entries [`list`] returns.
pub const LIST_MAX: i64 = 500;

/// Where messages go.
pub enum MailTransport {
    /// Each message written as an `.eml` file into a directory (the demo and tests).
    File {
        /// The directory.
        dir: PathBuf,
        /// The sender.
        from: Mailbox,
    },
    /// An SMTP server.
    Smtp {
        /// The configured transport (from `IXORG_SMTP_URL`).
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The sender.
        from: Mailbox,
    },
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The SMTP URL may hold credentials: only the kind is shown.
        match self {
            MailTransport::File { .. } => f.write_str("MailTransport::File"),
            MailTransport::Smtp { .. } => f.write_str("MailTransport::Smtp"),
        }
    }
}

/// Why a mail transport could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// The sender address is not a mailbox (`Name <address>` or `address`).
    #[error("the sender address (IXORG_MAIL_FROM) is not a valid mailbox")]
    From,
    /// The SMTP URL is not lettre's URL form (`smtps://user:pass@host:465`, …).
    #[error("the SMTP URL (IXORG_SMTP_URL) is not valid (smtp://, smtps://, with host and port)")]
    SmtpUrl,
}

fn mailbox(from: Option<&str>) -> Result<Mailbox, MailConfigError> {
    from.unwrap_or(DEFAULT_FROM)
        .parse()
        .map_err(|_| MailConfigError::From)
}

impl MailTransport {
    /// Writes every message as an `.eml` file into `dir` (which must exist), from `from` (or
    /// [`DEFAULT_FROM`]).
    ///
    /// # Errors
    /// [`MailConfigError::From`].
    pub fn file(dir: impl Into<PathBuf>, from: Option<&str>) -> Result<Self, MailConfigError> {
        Ok(MailTransport::File {
            dir: dir.into(),
            from: mailbox(from)?,
        })
    }

    /// Sends through the SMTP server of `url` (lettre's form: `smtp://host:587?tls=required`,
    /// `smtps://user:password@host:465`), from `from` (or [`DEFAULT_FROM`]).
    ///
    /// # Errors
    /// [`MailConfigError`].
    pub fn smtp(url: &str, from: Option<&str>) -> Result<Self, MailConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| MailConfigError::SmtpUrl)?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(MailTransport::Smtp {
            transport,
            from: mailbox(from)?,
        })
    }

    fn from(&self) -> &Mailbox {
        match self {
            MailTransport::File { from, .. } | MailTransport::Smtp { from, .. } => from,
        }
    }

    /// Sends one message; a failure is reduced to its class.
    async fn send(&self, message: lettre::Message) -> Result<(), DeliveryError> {
        let sending = async {
            match self {
                MailTransport::File { dir, .. } => AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|_| DeliveryError::Io),
                MailTransport::Smtp { transport, .. } => transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| smtp_error_class(&e)),
            }
        };
        tokio::time::timeout(SEND_TIMEOUT, sending)
            .await
            .unwrap_or(Err(DeliveryError::Timeout))
    }
}

fn smtp_error_class(e: &lettre::transport::smtp::Error) -> DeliveryError {
    if e.is_timeout() {
        DeliveryError::Timeout
    } else if e.is_tls() {
        DeliveryError::Tls
    } else if e.is_permanent() {
        DeliveryError::PermanentRejection
    } else if e.is_transient() {
        DeliveryError::TemporaryRejection
    } else if e.is_client() || e.is_response() {
        DeliveryError::Other
    } else {
        DeliveryError::Connection
    }
}

/// What one [`send_due`] call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Messages sent.
    pub sent: u32,
    /// Messages whose send failed; each waits for its next try.
    pub retrying: u32,
    /// Messages that cannot be sent (no usable address).
    pub undeliverable: u32,
}

/// Why the sender could not go on (a failed send is not an error: it is recorded and retried).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The privacy gate refused the sender's access (the refusal is in the access log).
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// No randomness for a link's token.
    #[error("no randomness for a one-time link")]
    Random,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl From<AccessError> for MailError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Refused(r) => MailError::Refused(r),
            AccessError::Store(s) => MailError::Store(s),
        }
    }
}

/// What became of one message.
enum Outcome {
    Sent,
    Retrying,
    Undeliverable,
}

/// Sends every message that is due now, each once (at most [`SEND_BATCH_MAX`]).
///
/// # Errors
/// [`MailError`] when the database or the gate fails; failed sends are recorded, not errors.
pub async fn send_due(
    ctx: &AppContext,
    transport: &MailTransport,
    public_url: &str,
) -> Result<SendReport, MailError> {
    let mut report = SendReport::default();
    for _ in 0..SEND_BATCH_MAX {
        let Some(outcome) = send_one(ctx, transport, public_url).await? else {
            break;
        };
        match outcome {
            Outcome::Sent => report.sent += 1,
            Outcome::Retrying => report.retrying += 1,
            Outcome::Undeliverable => report.undeliverable += 1,
        }
    }
    if report != SendReport::default() {
        tracing::info!(
            sent = report.sent,
            retrying = report.retrying,
            undeliverable = report.undeliverable,
            "Outbox messages handled"
        );
    }
    Ok(report)
}

/// Claims the next due message and reads its recipient (one transaction); `None` when nothing
/// is due. A message without a usable address is marked undeliverable there and then.
async fn claim(
    ctx: &AppContext,
) -> Result<Option<(DueMessage, Result<(Recipient, Mailbox), DeliveryError>)>, MailError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let Some(due) = outbox::claim_due(&mut tx, now, now.saturating_add_ms(LEASE_MS)).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    let categories = vec![
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::Account,
    ];
    let purpose = Purpose::ServiceDelivery;
    let read =
        crate::access::job_grant(ctx, &mut tx, JOB, purpose, categories, Action::Read).await?;
    let recipient = accounts::recipient(&mut tx, &read, due.participant).await?;
    let to = match recipient {
        None => Err(DeliveryError::NoAddress),
        Some(r) => match r.email.as_deref() {
            None => Err(DeliveryError::NoAddress),
            Some(email) => match email.parse::<Mailbox>() {
                Ok(mailbox) => Ok((r, mailbox)),
                Err(_) => Err(DeliveryError::InvalidAddress),
            },
        },
    };
    if let Err(error) = &to {
        outbox::mark_failed(&mut tx, due.id, *error, None).await?;
    }
    tx.commit().await?;
    Ok(Some((due, to)))
}

async fn send_one(
    ctx: &AppContext,
    transport: &MailTransport,
    public_url: &str,
) -> Result<Option<Outcome>, MailError> {
    let Some((due, to)) = claim(ctx).await? else {
        return Ok(None);
    };
    let (recipient, mailbox) = match to {
        Ok(to) => to,
        Err(error) => {
            tracing::warn!(outbox_message.id = %due.id, error = error.as_str(), "Outbox message undeliverable");
            return Ok(Some(Outcome::Undeliverable));
        }
    };
    let token = match due.kind.link_purpose() {
        Some(_) => Some(crate::accounts::new_link_token().map_err(|_| MailError::Random)?),
        None => None,
    };
    let link = compose::link(
        public_url,
        due.kind,
        token.as_ref().map(|(t, _)| t.as_str()),
    );
    let composed = compose::compose(&compose::Content {
        kind: due.kind,
        language: recipient.language,
        name: &recipient.name,
        number: &recipient.number,
        link: &link,
    });
    let sent = match build(transport.from(), mailbox, composed) {
        Ok(message) => transport.send(message).await,
        Err(e) => Err(e),
    };
    finish(ctx, &due, sent, token.map(|(_, hash)| hash)).await
}

fn build(
    from: &Mailbox,
    to: Mailbox,
    composed: compose::Composed,
) -> Result<lettre::Message, DeliveryError> {
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(composed.subject)
        .multipart(MultiPart::alternative_plain_html(
            composed.text,
            composed.html,
        ))
        .map_err(|_| DeliveryError::Compose)
}

/// Records a send: sent (with its link's hash, in one transaction) or failed (with its class
/// and next try).
async fn finish(
    ctx: &AppContext,
    due: &DueMessage,
    sent: Result<(), DeliveryError>,
    token_hash: Option<Vec<u8>>,
) -> Result<Option<Outcome>, MailError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let outcome = match sent {
        Ok(()) => {
            if let (Some(hash), Some(purpose)) = (token_hash, due.kind.link_purpose()) {
                let categories = vec![DataCategory::Account];
                let p = Purpose::ServiceDelivery;
                let change =
                    crate::access::job_grant(ctx, &mut tx, JOB, p, categories, Action::Change)
                        .await?;
                one_time_links::insert(&mut tx, &change, &hash, due.participant, purpose, now)
                    .await?;
            }
            outbox::mark_sent(&mut tx, due.id, now).await?;
            Outcome::Sent
        }
        Err(error) if error.is_retried() => {
            let attempts = due.attempts.saturating_add(1);
            let next = now.saturating_add_ms(retry_delay_ms(attempts));
            outbox::mark_failed(&mut tx, due.id, error, Some(next)).await?;
            tracing::warn!(outbox_message.id = %due.id, attempts, error = error.as_str(), "Outbox message not sent; it is tried again");
            Outcome::Retrying
        }
        Err(error) => {
            outbox::mark_failed(&mut tx, due.id, error, None).await?;
            tracing::warn!(outbox_message.id = %due.id, error = error.as_str(), "Outbox message undeliverable");
            Outcome::Undeliverable
        }
    };
    tx.commit().await?;
    Ok(Some(outcome))
}

/// Sends due messages every [`SENDER_INTERVAL`] until `shutdown` completes. A failing round is
/// logged (without personal data) and the next round tries again.
pub async fn run_sender(
    ctx: AppContext,
    transport: MailTransport,
    public_url: String,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(SENDER_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = tick.tick() => {
                if let Err(e) = send_due(&ctx, &transport, &public_url).await {
                    tracing::error!(error = %e, "The mail sender's round failed");
                }
            }
        }
    }
    tracing::info!("Mail sender stopped");
}

/// The newest outbox messages as staff see them (kind, state, tries, next try, error class;
/// never an address), at most [`LIST_MAX`]; with `failed_only`, only those whose last try
/// failed.
///
/// # Errors
/// Only when the database fails.
pub async fn list(ctx: &AppContext, failed_only: bool) -> Result<Vec<OutboxEntry>, MailError> {
    let mut tx = ctx.db.begin_read().await?;
    let entries = outbox::list(&mut tx, failed_only, LIST_MAX).await?;
    tx.rollback().await?;
    Ok(entries)
}
