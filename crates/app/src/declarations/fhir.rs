//! Declarations as FHIR R4 `Claim`s: a claim read at the edge (with
//! [`format::read_claim`]) is submitted as one API batch on the [`Channel::Fhir`] channel, and
//! its answers come back as the decisions a `ClaimResponse` is written from.
//!
//! The claim's identifier value is the batch's idempotency key unless the sender gives an
//! `Idempotency-Key`, so a claim sent twice is decided once. A key that was used before for a
//! different request (any other field of any item, another patient, or a JSON batch: the
//! whole request is compared through its hash) is refused with [`ClaimError::KeyReused`]
//! instead of answering with the other batch's decisions.
//!
//! The web layer reaches the FHIR formats and the API types it names through the re-exports
//! here ([`format`], [`ApiClient`], [`Channel`], …), so it depends on neither the formats nor
//! the store crate.

use ixorg_domain::declaration::Decision;
use ixorg_store::Tx;
use time::OffsetDateTime;

use super::api::{self, ApiError, BatchAnswers};
use crate::context::AppContext;

pub use ixorg_formats::fhir as format;
pub use ixorg_store::declarations::{ApiClient, Batch, Channel, LineAnswer};

use format::{Claim, Operator};

/// The operator's name in `ClaimResponse.insurer` and `Coverage.payor` while no operator
/// profile is set.
pub const OPERATOR_NAME_DEFAULT: &str = "ixorg";

/// Why a claim could not be submitted.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// The idempotency key was used before for another claim or batch (nothing was stored).
    #[error("the idempotency key was used for another claim")]
    KeyReused,
    /// The API use case failed.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// A decided claim: the batch, a decision per item in item order, and what the
/// `ClaimResponse` needs besides.
#[derive(Clone, Debug)]
pub struct ClaimAnswer {
    /// The stored batch (new, or the earlier one on a replay).
    pub answers: BatchAnswers,
    /// `decisions[i]` is the decision on `claim.items[i]`.
    pub decisions: Vec<Decision>,
    /// The operator, as the `insurer`.
    pub insurer: Operator,
    /// When the batch was stored: the response's `created`, the same on a replay.
    pub created: OffsetDateTime,
}

/// Submits `claim` for `client` under `idempotency_key`, or under the claim's identifier
/// value when there is none (see the module docs).
pub async fn submit_claim(
    ctx: &AppContext,
    client: &ApiClient,
    claim: &Claim,
    idempotency_key: Option<&str>,
) -> Result<ClaimAnswer, ClaimError> {
    let identifier = claim.identifier.value.as_str();
    let key = idempotency_key.unwrap_or(identifier);
    let lines = claim.lines().cloned().collect();
    let answers = match api::submit(ctx, client, Channel::Fhir, key, identifier, lines).await {
        Err(ApiError::KeyReused) => return Err(ClaimError::KeyReused),
        other => other?,
    };
    let decisions = answers.lines.iter().map(decision_of).collect();
    let insurer = {
        let mut tx = ctx.db.begin_read().await.map_err(ApiError::Store)?;
        let insurer = operator_in(&mut tx).await.map_err(ApiError::Store)?;
        tx.rollback().await.map_err(ApiError::Store)?;
        insurer
    };
    let created = answers.batch.created_at.to_offset_date_time_or_epoch();
    Ok(ClaimAnswer {
        answers,
        decisions,
        insurer,
        created,
    })
}

/// The decision a stored line's answer records.
fn decision_of(answer: &LineAnswer) -> Decision {
    Decision {
        outcome: answer.outcome,
        reasons: answer.reasons.clone(),
        budget_paid: answer.budget_paid,
        own_payment: answer.own_payment,
    }
}

/// The operator as FHIR names it: the legal name of the operator profile.
pub(crate) async fn operator_in(tx: &mut Tx) -> Result<Operator, ixorg_store::Error> {
    let profile = ixorg_store::enrollment::operator_profile(tx).await?;
    Ok(Operator {
        name: profile.map_or_else(|| OPERATOR_NAME_DEFAULT.to_owned(), |p| p.legal_name),
        identifier: None,
    })
}
