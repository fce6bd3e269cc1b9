//! Declaration batches: one a received file or API call, found again by content hash or
//! idempotency key, with their totals.

use ixorg_domain::Cents;
use ixorg_domain::ids::{DeclarationBatchId, PayeeId};
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::{Error, Tx, on_tx};

/// Plans every statement of this transaction for its own values (PostgreSQL only). A batch
/// keeps adding to `declaration_line` while it reads it back per chunk; a plan cached while the
/// table was small would keep scanning it whole as it grows.
pub async fn plan_each_statement(tx: &mut Tx) -> Result<(), Error> {
    if tx.backend() == crate::Backend::Postgres {
        on_tx!(tx, c => sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Through which channel a batch came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A Vektis MZ301 file.
    Mz301,
    /// The JSON API.
    Api,
    /// A FHIR `Claim`.
    Fhir,
}

impl Channel {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Mz301 => "mz301",
            Channel::Api => "api",
            Channel::Fhir => "fhir",
        }
    }

    fn from_name(name: &str) -> Option<Channel> {
        [Channel::Mz301, Channel::Api, Channel::Fhir]
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// A stored batch (no personal data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Its id.
    pub id: DeclarationBatchId,
    /// The channel.
    pub channel: Channel,
    /// The SHA-256 of a file's content.
    pub content_hash: Option<Vec<u8>>,
    /// The API client that sent it.
    pub api_client: Option<Uuid>,
    /// The client's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// The SHA-256 of the API or FHIR request's canonical form (none for files, and for
    /// batches stored before it was kept).
    pub request_hash: Option<Vec<u8>>,
    /// Who is paid for its lines.
    pub payee: PayeeId,
    /// The sender's own reference (invoice number, claim id).
    pub sender_reference: String,
    /// The day it was received.
    pub received_on: Date,
    /// Number of lines.
    pub line_count: i64,
    /// Sum of the declared amounts (credits negative).
    pub declared: Cents,
    /// Sum of the amounts assigned (paid from budgets; credits negative).
    pub assigned: Cents,
    /// Where the MZ302 return file was written, for file batches.
    pub return_file_name: Option<String>,
    /// When it was stored.
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    declaration_batch_id: Uuid,
    channel: String,
    content_hash: Option<Vec<u8>>,
    api_client_id: Option<Uuid>,
    idempotency_key: Option<String>,
    request_hash: Option<Vec<u8>>,
    payee_id: Uuid,
    sender_reference: String,
    received_on: Date,
    line_count: i64,
    declared_cents: i64,
    assigned_cents: i64,
    return_file_name: Option<String>,
    created_at_ms: i64,
}

impl TryFrom<BatchRow> for Batch {
    type Error = Error;
    fn try_from(r: BatchRow) -> Result<Self, Error> {
        Ok(Batch {
            id: DeclarationBatchId::from_uuid(r.declaration_batch_id),
            channel: Channel::from_name(&r.channel)
                .ok_or_else(|| corrupt("declaration_batch", "channel"))?,
            content_hash: r.content_hash,
            api_client: r.api_client_id,
            idempotency_key: r.idempotency_key,
            request_hash: r.request_hash,
            payee: PayeeId::from_uuid(r.payee_id),
            sender_reference: r.sender_reference,
            received_on: r.received_on,
            line_count: r.line_count,
            declared: Cents::new(r.declared_cents),
            assigned: Cents::new(r.assigned_cents),
            return_file_name: r.return_file_name,
            created_at: Timestamp::from_unix_ms(r.created_at_ms),
        })
    }
}

const BATCH_SELECT: &str = "SELECT declaration_batch_id, channel, content_hash, api_client_id, \
     idempotency_key, request_hash, payee_id, sender_reference, received_on, line_count, \
     declared_cents, assigned_cents, return_file_name, created_at_ms FROM declaration_batch";

/// The batch of a file with this content hash.
pub async fn batch_by_hash(tx: &mut Tx, hash: &[u8]) -> Result<Option<Batch>, Error> {
    let sql = format!("{BATCH_SELECT} WHERE content_hash = $1");
    let row: Option<BatchRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(hash)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Batch::try_from).transpose()
}

/// The batch an API client sent with this `Idempotency-Key`.
pub async fn batch_by_idempotency_key(
    tx: &mut Tx,
    client: Uuid,
    key: &str,
) -> Result<Option<Batch>, Error> {
    let sql = format!("{BATCH_SELECT} WHERE api_client_id = $1 AND idempotency_key = $2");
    let row: Option<BatchRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(client)
        .bind(key)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Batch::try_from).transpose()
}

/// A batch by id.
pub async fn batch(tx: &mut Tx, id: DeclarationBatchId) -> Result<Option<Batch>, Error> {
    let sql = format!("{BATCH_SELECT} WHERE declaration_batch_id = $1");
    let row: Option<BatchRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(id.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Batch::try_from).transpose()
}

/// Stores a batch. A second file with the same content, or a second call with the same
/// client and key, is a conflict.
pub async fn insert_batch(tx: &mut Tx, b: &Batch) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO declaration_batch (declaration_batch_id, channel, \
         content_hash, api_client_id, idempotency_key, payee_id, sender_reference, received_on, \
         line_count, declared_cents, assigned_cents, return_file_name, created_at_ms, \
         request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(b.id.uuid())
        .bind(b.channel.as_str())
        .bind(b.content_hash.as_deref())
        .bind(b.api_client)
        .bind(b.idempotency_key.as_deref())
        .bind(b.payee.uuid())
        .bind(b.sender_reference.as_str())
        .bind(b.received_on)
        .bind(b.line_count)
        .bind(b.declared.get())
        .bind(b.assigned.get())
        .bind(b.return_file_name.as_deref())
        .bind(b.created_at.unix_ms())
        .bind(b.request_hash.as_deref())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a batch's line count and totals once all its lines are stored.
pub async fn set_batch_totals(tx: &mut Tx, b: &Batch) -> Result<(), Error> {
    const SQL: &str = "UPDATE declaration_batch SET line_count = $1, declared_cents = $2, \
         assigned_cents = $3 WHERE declaration_batch_id = $4";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(b.line_count)
        .bind(b.declared.get())
        .bind(b.assigned.get())
        .bind(b.id.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Lines and their total per outcome, for reports and the bench.
pub async fn outcome_counts(tx: &mut Tx) -> Result<Vec<(String, i64, Cents)>, Error> {
    const SQL: &str = "SELECT outcome, COUNT(*), CAST(COALESCE(SUM(budget_paid_cents), 0) AS \
         BIGINT) FROM declaration_line GROUP BY outcome ORDER BY outcome";
    let rows: Vec<(String, i64, i64)> =
        on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(o, n, paid)| (o, n, Cents::new(paid)))
        .collect())
}
