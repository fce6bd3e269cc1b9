//! The API clients of practices and billing intermediaries.

use ixorg_domain::ids::{BillingIntermediaryId, PracticeId};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::{Error, Tx, on_tx};

/// An API client: a practice or a billing intermediary with a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiClient {
    /// Its id.
    pub id: Uuid,
    /// The practice it belongs to.
    pub practice: Option<PracticeId>,
    /// Or the billing intermediary.
    pub intermediary: Option<BillingIntermediaryId>,
    /// A label for people ("Praktijk X, billing system").
    pub label: String,
    /// Whether the token is still accepted.
    pub active: bool,
}

/// Stores an API client with the hash of its token.
pub async fn insert_api_client(
    tx: &mut Tx,
    client: &ApiClient,
    token_hash: &[u8],
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO api_client (api_client_id, practice_id, \
         billing_intermediary_id, label, token_hash, active, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(client.id)
        .bind(client.practice.map(|p| p.uuid()))
        .bind(client.intermediary.map(|b| b.uuid()))
        .bind(client.label.as_str())
        .bind(token_hash)
        .bind(client.active)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

type ClientRow = (Uuid, Option<Uuid>, Option<Uuid>, String, bool);

/// The active API client whose token has this hash.
pub async fn api_client_by_token_hash(
    tx: &mut Tx,
    token_hash: &[u8],
) -> Result<Option<ApiClient>, Error> {
    const SQL: &str = "SELECT api_client_id, practice_id, billing_intermediary_id, label, active \
         FROM api_client WHERE token_hash = $1 AND active = $2";
    let row: Option<ClientRow> = on_tx!(tx, c => sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(true)
            .fetch_optional(&mut *c)
            .await)?;
    Ok(
        row.map(|(id, practice, intermediary, label, active)| ApiClient {
            id,
            practice: practice.map(PracticeId::from_uuid),
            intermediary: intermediary.map(BillingIntermediaryId::from_uuid),
            label,
            active,
        }),
    )
}
