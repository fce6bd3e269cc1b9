//! The access log: append-only, hash-chained evidence of every access to personal data by
//! anyone other than the data subject (`PRIVACY.md` §4).

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::chain::{self, Break, Canonical, Chain, Hash};
use crate::instant::UnixMs;
use crate::{Error, Tx, on_tx};

/// Whether the access went ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Allowed by the policy.
    Allowed,
    /// Refused, and why.
    Refused(Refusal),
}

/// An entry to append.
#[derive(Debug)]
pub struct NewEntry<'a> {
    /// When.
    pub occurred_at: Timestamp,
    /// Who.
    pub actor: &'a Actor,
    /// In which role.
    pub role: Role,
    /// For which purpose.
    pub purpose: Option<Purpose>,
    /// Whose data.
    pub subject: Option<ParticipantId>,
    /// Which categories.
    pub categories: &'a [DataCategory],
    /// What was done.
    pub action: Action,
    /// Allowed or refused.
    pub outcome: Outcome,
}

/// A stored entry.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub sequence: i64,
    /// When.
    #[sqlx(rename = "occurred_at_ms", try_from = "UnixMs")]
    pub occurred_at: Timestamp,
    /// `staff`, `practice`, `system`, …
    pub actor_kind: String,
    /// The actor's id or job name.
    pub actor_id: String,
    /// The role acted in.
    pub role_name: String,
    /// The purpose stated, if any.
    pub purpose: Option<String>,
    /// The data subject, if one.
    pub subject_id: Option<Uuid>,
    /// Comma-separated categories.
    pub categories: String,
    /// `read`, `change`, `export`, `disclose`.
    pub action: String,
    /// `allowed` or `refused`.
    pub outcome: String,
    /// The refusal code, when refused.
    pub refusal: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: Vec<u8>,
    /// This entry's hash.
    pub entry_hash: Vec<u8>,
}

impl Entry {
    /// Recomputes this entry's hash from its content and `prev`.
    pub fn compute_hash(&self, prev: &Hash) -> Hash {
        hash_fields(
            prev,
            self.sequence,
            self.occurred_at,
            &self.actor_kind,
            &self.actor_id,
            &self.role_name,
            self.purpose.as_deref(),
            self.subject_id,
            &self.categories,
            &self.action,
            &self.outcome,
            self.refusal.as_deref(),
        )
    }
}

#[expect(clippy::too_many_arguments, reason = "one argument per hashed column")]
fn hash_fields(
    prev: &Hash,
    sequence: i64,
    occurred_at: Timestamp,
    actor_kind: &str,
    actor_id: &str,
    role: &str,
    purpose: Option<&str>,
    subject: Option<Uuid>,
    categories: &str,
    action: &str,
    outcome: &str,
    refusal: Option<&str>,
) -> Hash {
    Canonical::after(prev)
        .int(sequence)
        .int(occurred_at.unix_ms())
        .text(actor_kind)
        .text(actor_id)
        .text(role)
        .opt_text(purpose)
        .opt_bytes(subject.as_ref().map(|u| u.as_bytes().as_slice()))
        .text(categories)
        .text(action)
        .text(outcome)
        .opt_text(refusal)
        .finish()
}

const INSERT: &str = "INSERT INTO access_log (sequence, occurred_at_ms, actor_kind, actor_id, \
     role_name, purpose, subject_id, categories, action, outcome, refusal, prev_hash, entry_hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Appends one entry, in the caller's transaction, and returns its sequence number.
pub async fn append(tx: &mut Tx, entry: &NewEntry<'_>) -> Result<i64, Error> {
    let head = chain::lock_head(tx, Chain::AccessLog).await?;
    let sequence = head.last_sequence + 1;
    let categories = entry
        .categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let (outcome, refusal) = match entry.outcome {
        Outcome::Allowed => ("allowed", None),
        Outcome::Refused(r) => ("refused", Some(r.code())),
    };
    let actor_id = entry.actor.id_text();
    let subject = entry.subject.map(|s| s.uuid());
    let purpose = entry.purpose.map(|p| p.as_str());
    let hash = hash_fields(
        &head.last_hash,
        sequence,
        entry.occurred_at,
        entry.actor.kind(),
        &actor_id,
        entry.role.as_str(),
        purpose,
        subject,
        &categories,
        entry.action.as_str(),
        outcome,
        refusal,
    );
    on_tx!(tx, c => sqlx::query(INSERT)
        .bind(sequence)
        .bind(entry.occurred_at.unix_ms())
        .bind(entry.actor.kind())
        .bind(&actor_id)
        .bind(entry.role.as_str())
        .bind(purpose)
        .bind(subject)
        .bind(&categories)
        .bind(entry.action.as_str())
        .bind(outcome)
        .bind(refusal)
        .bind(head.last_hash.as_slice())
        .bind(hash.as_slice())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    chain::set_head(
        tx,
        Chain::AccessLog,
        chain::Head {
            last_sequence: sequence,
            last_hash: hash,
        },
    )
    .await?;
    Ok(sequence)
}

const PAGE: &str = "SELECT sequence, occurred_at_ms, actor_kind, actor_id, role_name, \
     purpose, subject_id, categories, action, outcome, refusal, prev_hash, entry_hash \
     FROM access_log WHERE sequence > $1 ORDER BY sequence LIMIT $2";
const FOR_SUBJECT: &str = "SELECT sequence, occurred_at_ms, actor_kind, actor_id, role_name, \
     purpose, subject_id, categories, action, outcome, refusal, prev_hash, entry_hash \
     FROM access_log WHERE subject_id = $1 ORDER BY sequence";

/// How many entries a verification reads per query.
const VERIFY_PAGE_ROWS: i64 = 5_000;

/// The entries about one data subject, oldest first ("who looked at my data and why").
pub async fn for_subject(tx: &mut Tx, subject: ParticipantId) -> Result<Vec<Entry>, Error> {
    Ok(on_tx!(tx, c => sqlx::query_as(FOR_SUBJECT)
        .bind(subject.uuid())
        .fetch_all(&mut *c)
        .await)?)
}

/// The entries after `after_sequence`, at most `limit`, oldest first.
pub async fn page(tx: &mut Tx, after_sequence: i64, limit: i64) -> Result<Vec<Entry>, Error> {
    Ok(on_tx!(tx, c => sqlx::query_as(PAGE)
        .bind(after_sequence)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}

/// Verifies the whole chain from its anchor (where the retention job pruned the oldest entries,
/// if it did). Returns the sequence of the last entry, or the first broken one.
pub async fn verify(tx: &mut Tx) -> Result<Result<i64, Break>, Error> {
    let anchor = chain::read_anchor(tx, Chain::AccessLog).await?;
    let mut verifier = chain::Verifier::from_anchor(Chain::AccessLog, anchor);
    let mut after = i64::MIN;
    loop {
        let rows = page(tx, after, VERIFY_PAGE_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.sequence;
        for row in &rows {
            let computed = row.compute_hash(&verifier.prev_hash());
            verifier.check(row.sequence, &row.prev_hash, &row.entry_hash, computed);
        }
    }
    let head = chain::read_head(tx, Chain::AccessLog).await?;
    Ok(verifier.finish(head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_hashes_its_instant_as_the_stored_unix_milliseconds() {
        // Arrange
        let prev = [9_u8; 32];
        let occurred_at_ms = 1_767_225_600_456;
        let as_stored = Canonical::after(&prev)
            .int(3)
            .int(occurred_at_ms)
            .text("staff")
            .text("s-1")
            .text("support")
            .opt_text(Some("contact"))
            .opt_bytes(None)
            .text("contact")
            .text("read")
            .text("allowed")
            .opt_text(None)
            .finish();

        // Act
        let hash = hash_fields(
            &prev,
            3,
            Timestamp::from_unix_ms(occurred_at_ms),
            "staff",
            "s-1",
            "support",
            Some("contact"),
            None,
            "contact",
            "read",
            "allowed",
            None,
        );

        // Assert
        assert_eq!(hash, as_stored);
    }
}
