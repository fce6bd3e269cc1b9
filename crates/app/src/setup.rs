//! Opening the platform: connect, migrate, load reference data, build the [`AppContext`].

use std::sync::Arc;

use anyhow::Context as _;
use ixorg_domain::ledger::OperatorAccount;
use ixorg_domain::privacy::Policy;
use ixorg_domain::privacy::consent::DocumentKind;
use ixorg_domain::terms::TermsVersion;
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::{ConnectOptions, Db, ledger, participants, reference};

use crate::context::{AppContext, Clock, Ids};
use crate::crypto::Crypto;

/// How to open the platform.
#[derive(Debug)]
pub struct OpenOptions {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// The `IXORG_DATA_KEY` setting, if any.
    pub data_key: Option<String>,
    /// The clock to use.
    pub clock: Arc<dyn Clock>,
    /// Pool settings.
    pub connect: ConnectOptions,
    /// Refuse to open without a key when the database holds encrypted data (the server needs
    /// the key; a ledger audit or a migration does not).
    pub key_required_if_encrypted: bool,
}

/// Why the platform could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The database could not be reached or migrated.
    #[error("cannot open the database: {0}")]
    Database(#[from] ixorg_store::Error),
    /// The data key is malformed.
    #[error(transparent)]
    Key(#[from] crate::crypto::CryptoError),
    /// The database holds encrypted data but no key was given.
    #[error("the database holds encrypted BSNs but no data key is configured: set IXORG_DATA_KEY")]
    KeyRequired,
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Connects, migrates, seeds reference data (product terms, tariffs, the default policy, the
/// operator's ledger accounts) when missing, and loads it.
pub async fn open(options: OpenOptions) -> Result<AppContext, OpenError> {
    let db = Db::connect(&options.database_url, options.connect).await?;
    ixorg_store::migrate::run(&db).await?;
    let crypto = match options.data_key.as_deref() {
        Some(k) if !k.trim().is_empty() => Some(Arc::new(Crypto::from_setting(k)?)),
        _ => None,
    };
    let now = options.clock.timestamp();
    let mut tx = db.begin().await?;
    seed_reference_data(&mut tx, now).await?;
    let policy = ixorg_store::gate::load_policy(&mut tx).await?;
    let terms = reference::terms_history(&mut tx).await?;
    let encrypted = participants::count_with_bsn(&mut tx).await?;
    tx.commit().await?;
    if options.key_required_if_encrypted && crypto.is_none() && encrypted > 0 {
        return Err(OpenError::KeyRequired);
    }
    Ok(AppContext {
        db,
        clock: options.clock,
        ids: Ids,
        crypto,
        policy: Arc::new(policy),
        terms: Arc::new(terms),
    })
}

async fn seed_reference_data(tx: &mut ixorg_store::Tx, now: Timestamp) -> Result<(), OpenError> {
    reference::insert_terms(tx, &TermsVersion::initial(), now).await?;
    let table = ixorg_formats::tariff_csv::embedded_tariff_table()
        .context("The embedded tariff files do not parse")?;
    let points: Vec<_> = table
        .point_values()
        .iter()
        .map(|p| (*p, "data/point-values.csv".to_owned()))
        .collect();
    reference::upsert_tariffs(tx, table.tariffs(), &points).await?;
    ixorg_store::gate::seed_policy(tx, &Policy::defaults()).await?;
    seed_privacy_documents(tx, now).await?;
    for account in OperatorAccount::ALL {
        match ledger::account_by_code(tx, *account).await {
            Ok(_) => {}
            Err(ixorg_store::Error::NotFound) => {
                let account = ledger::NewAccount {
                    id: ixorg_domain::ids::LedgerAccountId::from_uuid(Ids.new_uuid()),
                    kind: account.kind(),
                    code: Some(account.code().to_owned()),
                    participant: None,
                    payee: None,
                    credit_line: ixorg_domain::Cents::ZERO,
                };
                ledger::open_account(tx, &account, now).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The privacy statement and cookie policy as shipped: version 1 of each, in force from the day
/// the database is first opened. Later versions are published with `ixorg privacy publish`.
const PRIVACY_DOCUMENTS: &[(DocumentKind, &str)] = &[
    (
        DocumentKind::PrivacyStatement,
        include_str!("../../../data/privacy-statement-nl.md"),
    ),
    (
        DocumentKind::CookiePolicy,
        include_str!("../../../data/cookie-policy-nl.md"),
    ),
];

async fn seed_privacy_documents(tx: &mut ixorg_store::Tx, now: Timestamp) -> Result<(), OpenError> {
    let today = now
        .to_offset_date_time()
        .map(time::OffsetDateTime::date)
        .context("The clock is out of range")?;
    for (kind, body) in PRIVACY_DOCUMENTS {
        if ixorg_store::consent::versions(tx, *kind).await?.is_empty() {
            ixorg_store::consent::publish(tx, *kind, today, "Eerste versie.", body, now).await?;
        }
    }
    Ok(())
}

/// The migrations embedded for this database, as (version, name).
pub fn migrations(ctx: &AppContext) -> Vec<(i64, String)> {
    ixorg_store::migrate::embedded(&ctx.db)
}

/// Checks that the database answers (for `/readyz`).
pub async fn ready(ctx: &AppContext) -> bool {
    ctx.db.ping().await.is_ok()
}

/// The default pool settings.
pub fn connect_defaults() -> ixorg_store::ConnectOptions {
    ixorg_store::ConnectOptions::default()
}
