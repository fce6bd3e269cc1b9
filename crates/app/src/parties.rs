//! Registering the parties that declare and are paid: practices with their providers, billing
//! intermediaries, and for each payee its payable account in the ledger.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Iban};
use ixorg_domain::ids::{BillingIntermediaryId, LedgerAccountId, PayeeId, PracticeId, ProviderId};
use ixorg_domain::ledger::AccountKind;
use ixorg_store::Tx;
use ixorg_store::ledger::{self, NewAccount};
use ixorg_store::parties::{self, BillingIntermediary, Payee, PayeeOwner, Practice, Provider};

use crate::context::AppContext;

/// A practice to register.
#[derive(Clone, Debug)]
pub struct NewPractice {
    /// The practice's AGB code.
    pub agb: AgbCode,
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
    /// Its providers: AGB code and name.
    pub providers: Vec<(AgbCode, String)>,
    /// The IBAN payouts go to, or `None` when a billing intermediary is paid instead.
    pub iban: Option<Iban>,
}

/// A registered practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisteredPractice {
    /// The practice.
    pub practice: PracticeId,
    /// Its payee and payable account, when it is paid itself.
    pub payee: Option<(PayeeId, LedgerAccountId)>,
}

/// Registers a practice, its providers and (with an IBAN) its payee and payable account, in
/// one transaction.
pub async fn register_practice(
    ctx: &AppContext,
    new: &NewPractice,
) -> Result<RegisteredPractice, ixorg_store::Error> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let practice = Practice {
        id: PracticeId::from_uuid(ctx.ids.new_uuid()),
        agb: new.agb.clone(),
        name: new.name.clone(),
        city: new.city.clone(),
    };
    parties::insert_practice(&mut tx, &practice, now).await?;
    for (agb, name) in &new.providers {
        let provider = Provider {
            id: ProviderId::from_uuid(ctx.ids.new_uuid()),
            practice: practice.id,
            agb: agb.clone(),
            name: name.clone(),
        };
        parties::insert_provider(&mut tx, &provider, now).await?;
    }
    let payee = match &new.iban {
        Some(iban) => {
            let owner = PayeeOwner::Practice(practice.id);
            Some(open_payee(ctx, &mut tx, owner, &new.name, iban).await?)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(RegisteredPractice {
        practice: practice.id,
        payee,
    })
}

/// Registers a billing intermediary (with its service-bureau code, when it sends MZ301
/// files), the practices it bills for (it may declare only for their providers), and its
/// payee and payable account.
pub async fn register_intermediary(
    ctx: &AppContext,
    name: &str,
    kvk_number: Option<&str>,
    bureau_code: Option<&AgbCode>,
    iban: &Iban,
    practices: &[PracticeId],
) -> Result<(BillingIntermediaryId, PayeeId, LedgerAccountId), ixorg_store::Error> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let bureau = BillingIntermediary {
        id: BillingIntermediaryId::from_uuid(ctx.ids.new_uuid()),
        name: name.to_owned(),
        kvk_number: kvk_number.map(str::to_owned),
    };
    parties::insert_intermediary(&mut tx, &bureau, now).await?;
    if let Some(code) = bureau_code {
        ixorg_store::declarations::set_intermediary_agb(&mut tx, bureau.id, code.as_str(), now)
            .await?;
    }
    for practice in practices {
        parties::link_intermediary_practice(&mut tx, bureau.id, *practice, now).await?;
    }
    let owner = PayeeOwner::Intermediary(bureau.id);
    let (payee, payable) = open_payee(ctx, &mut tx, owner, name, iban).await?;
    tx.commit().await?;
    Ok((bureau.id, payee, payable))
}

/// Stores a payee and opens its payable account.
pub(crate) async fn open_payee(
    ctx: &AppContext,
    tx: &mut Tx,
    owner: PayeeOwner,
    name: &str,
    iban: &Iban,
) -> Result<(PayeeId, LedgerAccountId), ixorg_store::Error> {
    let now = ctx.now();
    let payee = Payee {
        id: PayeeId::from_uuid(ctx.ids.new_uuid()),
        owner,
        name: name.to_owned(),
        iban: iban.clone(),
    };
    parties::insert_payee(tx, &payee, now).await?;
    let payable = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
    let account = NewAccount {
        id: payable,
        kind: AccountKind::Payable,
        code: None,
        participant: None,
        payee: Some(payee.id),
        credit_line: Cents::ZERO,
    };
    ledger::open_account(tx, &account, now).await?;
    Ok((payee.id, payable))
}
