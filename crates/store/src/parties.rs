//! Practices, providers, billing intermediaries and payees: the parties that declare and are
//! paid. Their data is about organisations and professionals, not participants, so no grant.

use ixorg_domain::identifiers::{AgbCode, Iban};
use ixorg_domain::ids::{BillingIntermediaryId, PayeeId, PracticeId, ProviderId};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::error::corrupt;
use crate::{Error, Tx, on_tx};

/// A dental practice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Practice {
    /// Its id.
    pub id: PracticeId,
    /// Its AGB code.
    pub agb: AgbCode,
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
}

/// A care provider working in a practice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// Its id.
    pub id: ProviderId,
    /// The practice.
    pub practice: PracticeId,
    /// The provider's personal AGB code.
    pub agb: AgbCode,
    /// The provider's name.
    pub name: String,
}

/// A billing intermediary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingIntermediary {
    /// Its id.
    pub id: BillingIntermediaryId,
    /// Its name.
    pub name: String,
    /// Its chamber-of-commerce number.
    pub kvk_number: Option<String>,
}

/// Who receives a payout: a practice or a billing intermediary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayeeOwner {
    /// Paid to the practice itself.
    Practice(PracticeId),
    /// Paid to the intermediary on the practice's behalf.
    Intermediary(BillingIntermediaryId),
}

/// A payee with its bank account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payee {
    /// Its id.
    pub id: PayeeId,
    /// Whose account.
    pub owner: PayeeOwner,
    /// The account name.
    pub name: String,
    /// The IBAN payouts go to.
    pub iban: Iban,
}

/// Stores a practice.
pub async fn insert_practice(tx: &mut Tx, p: &Practice, now: Timestamp) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO practice (practice_id, agb_code, name, city, created_at_ms, \
         updated_at_ms) VALUES ($1, $2, $3, $4, $5, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(p.id.uuid())
        .bind(p.agb.as_str())
        .bind(p.name.as_str())
        .bind(p.city.as_str())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a provider.
pub async fn insert_provider(tx: &mut Tx, p: &Provider, now: Timestamp) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO provider (provider_id, practice_id, agb_code, name, \
         created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(p.id.uuid())
        .bind(p.practice.uuid())
        .bind(p.agb.as_str())
        .bind(p.name.as_str())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a billing intermediary.
pub async fn insert_intermediary(
    tx: &mut Tx,
    b: &BillingIntermediary,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO billing_intermediary (billing_intermediary_id, name, \
         kvk_number, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $4)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(b.id.uuid())
        .bind(b.name.as_str())
        .bind(b.kvk_number.as_deref())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a payee.
pub async fn insert_payee(tx: &mut Tx, p: &Payee, now: Timestamp) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO payee (payee_id, practice_id, billing_intermediary_id, name, \
         iban, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $6)";
    let (practice, intermediary) = match p.owner {
        PayeeOwner::Practice(id) => (Some(id.uuid()), None),
        PayeeOwner::Intermediary(id) => (None, Some(id.uuid())),
    };
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(p.id.uuid())
        .bind(practice)
        .bind(intermediary)
        .bind(p.name.as_str())
        .bind(p.iban.expose())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PracticeRow {
    practice_id: Uuid,
    agb_code: String,
    name: String,
    city: String,
}

/// Every practice, by name.
pub async fn practices(tx: &mut Tx) -> Result<Vec<Practice>, Error> {
    const SQL: &str = "SELECT practice_id, agb_code, name, city FROM practice ORDER BY name";
    let rows: Vec<PracticeRow> = on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Practice {
                id: PracticeId::from_uuid(r.practice_id),
                agb: r
                    .agb_code
                    .parse()
                    .map_err(|_| corrupt("practice", "agb_code"))?,
                name: r.name,
                city: r.city,
            })
        })
        .collect()
}

/// A practice by its AGB code.
pub async fn practice_by_agb(tx: &mut Tx, agb: &AgbCode) -> Result<Option<PracticeId>, Error> {
    const SQL: &str = "SELECT practice_id FROM practice WHERE agb_code = $1";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(agb.as_str())
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(PracticeId::from_uuid))
}

/// Whether a practice with this id is registered.
pub async fn practice_exists(tx: &mut Tx, id: PracticeId) -> Result<bool, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM practice WHERE practice_id = $1";
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(id.uuid())
        .fetch_one(&mut *c)
        .await)?;
    Ok(n > 0)
}

/// The name of a practice (`practice`) or billing intermediary (`intermediary`), as the access
/// log names the actor kind; `None` for other kinds or an unknown id. Professional data, no grant.
pub async fn party_name(tx: &mut Tx, actor_kind: &str, id: Uuid) -> Result<Option<String>, Error> {
    let sql = match actor_kind {
        "practice" => "SELECT name FROM practice WHERE practice_id = $1",
        "intermediary" => {
            "SELECT name FROM billing_intermediary WHERE billing_intermediary_id = $1"
        }
        _ => return Ok(None),
    };
    Ok(on_tx!(tx, c => sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?)
}

/// Records that a billing intermediary bills for a practice (it may then declare for the
/// practice's providers). Recording it again changes nothing.
pub async fn link_intermediary_practice(
    tx: &mut Tx,
    intermediary: BillingIntermediaryId,
    practice: PracticeId,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO intermediary_practice (billing_intermediary_id, practice_id, \
         created_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(intermediary.uuid())
        .bind(practice.uuid())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The practices a billing intermediary bills for.
pub async fn practices_of_intermediary(
    tx: &mut Tx,
    intermediary: BillingIntermediaryId,
) -> Result<Vec<PracticeId>, Error> {
    const SQL: &str = "SELECT practice_id FROM intermediary_practice \
         WHERE billing_intermediary_id = $1 ORDER BY practice_id";
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(intermediary.uuid())
        .fetch_all(&mut *c)
        .await)?;
    Ok(ids.into_iter().map(PracticeId::from_uuid).collect())
}

/// A registered provider as a declaration names it: its AGB code, its practice and the
/// practice's AGB code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPractice {
    /// The provider's AGB code.
    pub provider_agb: String,
    /// Its practice.
    pub practice: PracticeId,
    /// The practice's AGB code.
    pub practice_agb: String,
}

/// Values per `IN (…)` list of provider codes.
const PROVIDERS_IN_ROWS: usize = 900;

/// The registered providers among `agb_codes`, each with its practice; codes registered
/// nowhere are absent.
pub async fn providers_by_agb(
    tx: &mut Tx,
    agb_codes: &[&str],
) -> Result<Vec<ProviderPractice>, Error> {
    let mut out = Vec::with_capacity(agb_codes.len());
    for chunk in agb_codes.chunks(PROVIDERS_IN_ROWS) {
        let sql = format!(
            "SELECT v.agb_code, v.practice_id, p.agb_code FROM provider v \
             JOIN practice p ON p.practice_id = v.practice_id WHERE v.agb_code IN ({})",
            crate::sql::in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<(String, Uuid, String)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for code in chunk {
                q = q.bind(*code);
            }
            q.fetch_all(&mut *c).await
        })?;
        out.extend(
            rows.into_iter()
                .map(|(provider_agb, practice, practice_agb)| ProviderPractice {
                    provider_agb,
                    practice: PracticeId::from_uuid(practice),
                    practice_agb,
                }),
        );
    }
    Ok(out)
}
