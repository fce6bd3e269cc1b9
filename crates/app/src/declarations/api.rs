//! Declarations through the API (JSON and FHIR): API clients with hashed tokens, submitting a
//! batch under an `Idempotency-Key`, and reading a batch's answers.
//!
//! A practice or billing intermediary acts as itself: its access is checked by the gate and
//! written to the access log (care data, purpose reimbursement), and it sees only the batches
//! it sent.

use ixorg_domain::declaration::{Decision, DeclarationLine, Sender, Who};
use ixorg_domain::ids::{BillingIntermediaryId, DeclarationBatchId, PracticeId};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Role};
use ixorg_store::declarations::{self as repo, ApiClient, Batch, Channel, LineAnswer};
use ixorg_store::gate::{self, AccessRequest};
use sha2::{Digest, Sha256};

use super::{BatchMeta, DecideError, Item, decide_batch};
use crate::access::AccessError;
use crate::context::AppContext;

/// Most lines one API call may carry.
pub const LINES_PER_BATCH_MAX: usize = 10_000;

/// The longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 200;

/// Prefix of every API token, so a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "ixo_";

/// How often a batch is tried again after another one stored the same line at the same moment.
const RACE_RETRIES_MAX: usize = 3;

/// Why an API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The batch does not exist or belongs to another client.
    #[error("no such batch")]
    NotFound,
    /// The client's payee is not set up.
    #[error("the sender has no payee account")]
    NoPayee,
    /// Too many lines, or none.
    #[error("a batch holds 1 to {LINES_PER_BATCH_MAX} lines")]
    BatchSize,
    /// No practice has this AGB code.
    #[error("no practice is registered with that AGB code")]
    UnknownPractice,
    /// The idempotency key was used before by this client for a different request (nothing
    /// was stored).
    #[error("the idempotency key was used before for a different request")]
    KeyReused,
    /// The API client names neither a practice nor an intermediary (the schema forbids it).
    #[error("the API client belongs to no practice or intermediary")]
    NoSender,
    /// Randomness for a token was not available.
    #[error("no randomness for a token")]
    Random,
    /// The gate refused the access (logged).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Deciding failed.
    #[error(transparent)]
    Decide(#[from] DecideError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// A batch and its answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchAnswers {
    /// The batch.
    pub batch: Batch,
    /// Each line's answer, in order.
    pub lines: Vec<LineAnswer>,
    /// True when the key was used before and this is the earlier batch.
    pub replayed: bool,
}

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates an API client for a practice or an intermediary and returns it with its token
/// (shown once; only its hash is stored).
pub async fn create_client(
    ctx: &AppContext,
    practice: Option<PracticeId>,
    intermediary: Option<BillingIntermediaryId>,
    label: &str,
) -> Result<(ApiClient, String), ApiError> {
    let mut secret = [0_u8; 32];
    getrandom::fill(&mut secret).map_err(|_| ApiError::Random)?;
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    let client = ApiClient {
        id: ctx.ids.new_uuid(),
        practice,
        intermediary,
        label: label.to_owned(),
        active: true,
    };
    let mut tx = ctx.db.begin().await?;
    repo::insert_api_client(&mut tx, &client, &hash_token(&token), ctx.now()).await?;
    tx.commit().await?;
    Ok((client, token))
}

/// Creates an API client for the practice with this AGB code (see [`create_client`]).
pub async fn create_client_for_practice(
    ctx: &AppContext,
    agb: &ixorg_domain::identifiers::AgbCode,
    label: &str,
) -> Result<(ApiClient, String), ApiError> {
    let mut tx = ctx.db.begin_read().await?;
    let practice = ixorg_store::parties::practice_by_agb(&mut tx, agb).await?;
    tx.rollback().await?;
    let practice = practice.ok_or(ApiError::UnknownPractice)?;
    create_client(ctx, Some(practice), None, label).await
}

/// The active client holding `token`, if any.
pub async fn authenticate(ctx: &AppContext, token: &str) -> Result<Option<ApiClient>, ApiError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let mut tx = ctx.db.begin_read().await?;
    let client = repo::api_client_by_token_hash(&mut tx, &hash_token(token)).await?;
    tx.rollback().await?;
    Ok(client)
}

fn request(client: &ApiClient, action: Action) -> AccessRequest {
    let (actor, role) = match (client.practice, client.intermediary) {
        (Some(practice), _) => (Actor::Practice(practice), Role::Provider),
        (None, Some(intermediary)) => {
            (Actor::Intermediary(intermediary), Role::BillingIntermediary)
        }
        (None, None) => (
            Actor::System(format!("api-client-{}", client.id)),
            Role::Provider,
        ),
    };
    AccessRequest {
        actor,
        role,
        purpose: Some(Purpose::Reimbursement),
        subject: None,
        categories: vec![DataCategory::Care],
        action,
    }
}

/// Who an API client declares as.
fn sender_of(client: &ApiClient) -> Result<Sender, ApiError> {
    match (client.practice, client.intermediary) {
        (Some(practice), _) => Ok(Sender::Practice(practice)),
        (None, Some(intermediary)) => Ok(Sender::Intermediary(intermediary)),
        (None, None) => Err(ApiError::NoSender),
    }
}

/// Appends `bytes` to `hasher` with its length first, so that no two field lists give the
/// same byte stream.
fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
    hasher.update(bytes);
}

/// The SHA-256 of a request's canonical form: the channel, the sender's reference and every
/// field of every line, in order. A BSN enters through its keyed blind index, so the stored
/// hash cannot be searched for a BSN.
///
/// # Errors
/// A line names a BSN and no data key is configured.
pub fn request_hash(
    ctx: &AppContext,
    channel: Channel,
    sender_reference: &str,
    lines: &[DeclarationLine],
) -> Result<Vec<u8>, ApiError> {
    let mut h = Sha256::new();
    field(&mut h, b"ixorg-declarations-request-v1");
    field(&mut h, channel.as_str().as_bytes());
    field(&mut h, sender_reference.as_bytes());
    field(
        &mut h,
        &u64::try_from(lines.len()).unwrap_or(u64::MAX).to_be_bytes(),
    );
    for line in lines {
        field(&mut h, line.reference.as_bytes());
        match &line.previous_reference {
            Some(previous) => field(&mut h, format!("+{previous}").as_bytes()),
            None => field(&mut h, b"-"),
        }
        match &line.who {
            Who::Number(number) => field(&mut h, format!("n{}", number.as_str()).as_bytes()),
            Who::Bsn { bsn, birth_date } => {
                let crypto = ctx
                    .crypto()
                    .map_err(|e| ApiError::Decide(DecideError::Crypto(e)))?;
                field(&mut h, b"b");
                field(&mut h, &crypto.blind_index(bsn));
                field(&mut h, birth_date.to_string().as_bytes());
            }
            Who::Unidentified => field(&mut h, b"u"),
        }
        field(&mut h, line.provider.as_str().as_bytes());
        field(
            &mut h,
            line.practice.as_ref().map_or("", |p| p.as_str()).as_bytes(),
        );
        field(&mut h, line.treatment_date.to_string().as_bytes());
        field(&mut h, line.code.as_bytes());
        field(&mut h, line.element.as_deref().unwrap_or("").as_bytes());
        field(&mut h, line.surface.as_deref().unwrap_or("").as_bytes());
        field(&mut h, line.cost.as_str().as_bytes());
        field(&mut h, &line.quantity.to_be_bytes());
        field(&mut h, &line.unit_tariff.get().to_be_bytes());
        field(&mut h, &line.amount.get().to_be_bytes());
        field(&mut h, &[u8::from(line.accident)]);
    }
    Ok(h.finalize().to_vec())
}

/// Decides and stores a batch of lines sent by `client` under `idempotency_key`. The same
/// request again (the same [`request_hash`]) returns the earlier batch unchanged (`replayed`);
/// another request under a key used before is [`ApiError::KeyReused`] and stores nothing.
pub async fn submit(
    ctx: &AppContext,
    client: &ApiClient,
    channel: Channel,
    idempotency_key: &str,
    sender_reference: &str,
    lines: Vec<DeclarationLine>,
) -> Result<BatchAnswers, ApiError> {
    if lines.is_empty() || lines.len() > LINES_PER_BATCH_MAX {
        return Err(ApiError::BatchSize);
    }
    let sender = sender_of(client)?;
    let hash = request_hash(ctx, channel, sender_reference, &lines)?;
    let items: Vec<Item> = lines
        .into_iter()
        .map(|line| Item { line, record: None })
        .collect();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (mut tx, _change) = crate::access::begin(ctx, request(client, Action::Change)).await?;
        if let Some(earlier) =
            repo::batch_by_idempotency_key(&mut tx, client.id, idempotency_key).await?
        {
            if earlier.request_hash.as_deref() != Some(hash.as_slice()) {
                // The refused attempt's access stays in the access log; nothing else changed.
                tx.commit().await?;
                return Err(ApiError::KeyReused);
            }
            let read = gate::authorize(
                &mut tx,
                &ctx.policy,
                request(client, Action::Read),
                ctx.now(),
            )
            .await?
            .map_err(AccessError::Refused)?;
            let lines = repo::batch_answers(&mut tx, &read, earlier.id).await?;
            tx.commit().await?;
            return Ok(BatchAnswers {
                batch: earlier,
                lines,
                replayed: true,
            });
        }
        let payee = repo::payee_account(&mut tx, client.practice, client.intermediary)
            .await?
            .ok_or(ApiError::NoPayee)?;
        let meta = BatchMeta {
            channel,
            sender,
            request_hash: Some(hash.clone()),
            payee,
            sender_reference: sender_reference.to_owned(),
            content_hash: None,
            api_client: Some(client.id),
            idempotency_key: Some(idempotency_key.to_owned()),
            return_file_name: None,
        };
        match decide_batch(ctx, &mut tx, "api-declarations", meta, &items).await {
            Ok(decided) => {
                let lines = answers(&items, &decided.decisions);
                tx.commit().await?;
                return Ok(BatchAnswers {
                    batch: decided.batch,
                    lines,
                    replayed: false,
                });
            }
            Err(DecideError::Raced) if attempt < RACE_RETRIES_MAX => {
                tx.rollback().await?;
            }
            Err(e) => {
                tx.rollback().await?;
                return Err(e.into());
            }
        }
    }
}

/// A batch `client` sent, with its answers; another client's batch is [`ApiError::NotFound`].
pub async fn batch_status(
    ctx: &AppContext,
    client: &ApiClient,
    batch: DeclarationBatchId,
) -> Result<BatchAnswers, ApiError> {
    let (mut tx, grant) = crate::access::begin(ctx, request(client, Action::Read)).await?;
    let found = repo::batch(&mut tx, batch)
        .await?
        .filter(|b| b.api_client == Some(client.id));
    let Some(found) = found else {
        tx.commit().await?;
        return Err(ApiError::NotFound);
    };
    let lines = repo::batch_answers(&mut tx, &grant, found.id).await?;
    tx.commit().await?;
    Ok(BatchAnswers {
        batch: found,
        lines,
        replayed: false,
    })
}

/// The answers of freshly decided lines.
fn answers(items: &[Item], decisions: &[Decision]) -> Vec<LineAnswer> {
    items
        .iter()
        .zip(decisions)
        .enumerate()
        .map(|(n, (item, decision))| LineAnswer {
            line_number: i64::try_from(n + 1).unwrap_or(i64::MAX),
            reference: item.line.reference.clone(),
            outcome: decision.outcome,
            reasons: decision.reasons.clone(),
            amount: item.line.amount,
            budget_paid: decision.budget_paid,
            own_payment: decision.own_payment,
        })
        .collect()
}
