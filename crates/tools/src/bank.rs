//! The bank simulator: the camt.053 statements a bank would send for a collection run (every
//! direct debit credited, a seeded share returned with reason codes) and for a payout run (every
//! credit transfer booked), for `ixorg generate camt053 …`, the demo, benchmarks and tests.
//!
//! It reads a run as the bank received it through the store (a collection run's direct debits
//! under the gate's job grant `bank-simulator`) and writes the statement through [`StagedFile`]:
//! the access-log entry of the read commits only with the file written.

use ixorg_app::AppContext;
use ixorg_app::output::StagedFile;

use crate::synthetic::Rng;

/// What the bank simulator wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankFile {
    /// Collections credited.
    pub credited: u64,
    /// Of those, returned (a debit entry with a reason code each).
    pub returned: u64,
}

/// Why the bank simulator could not write a statement.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// No run for that date.
    #[error("there is no collection run for that date")]
    NoRun,
    /// The operator profile is missing.
    #[error("the operator's bank details are not set")]
    NoOperatorProfile,
    /// `--returns` above 100.
    #[error("the share of returns is a percentage from 0 to 100")]
    BadShare,
    /// Writing failed.
    #[error("cannot write the statement")]
    File(#[source] ixorg_app::ErrorCause),
    /// The gate refused.
    #[error("access refused: {0}")]
    Refused(ixorg_domain::privacy::Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// Return reasons the simulator draws from, most common first.
const RETURN_REASONS: &[&str] = &[
    "AM04", "AM04", "AM04", "MD06", "MS02", "AC04", "MD01", "MS03",
];

/// Plays the bank for the collection run of `date`: a camt.053.001.02 statement of the
/// operator's account crediting every direct debit of the run, and for about `returns_percent`
/// of them a returned debit with a reason code. Deterministic for a seed.
pub async fn camt053_for_collection(
    ctx: &AppContext,
    date: time::Date,
    returns_percent: u8,
    seed: u64,
    out: &std::path::Path,
) -> Result<BankFile, SimulateError> {
    use ixorg_domain::Cents;
    use ixorg_formats::sepa::camt053::{
        Camt053Writer, Entry, SignedAmount, StatementStart, TxDetail,
    };
    if returns_percent > 100 {
        return Err(SimulateError::BadShare);
    }
    let staged = StagedFile::create(out).map_err(file_err)?;
    let mut tx = ctx.db.begin().await?;
    let operator = ixorg_store::enrollment::operator_profile(&mut tx)
        .await?
        .ok_or(SimulateError::NoOperatorProfile)?;
    let run = ixorg_store::collections::run_by_date(&mut tx, date)
        .await?
        .ok_or(SimulateError::NoRun)?;
    let grant = ixorg_app::access::job_grant(
        ctx,
        &mut tx,
        "bank-simulator",
        ixorg_domain::privacy::Purpose::Reimbursement,
        vec![ixorg_domain::privacy::DataCategory::Financial],
        ixorg_domain::privacy::Action::Read,
    )
    .await?;
    // Pass 1: decide the returns (by a hash of seed and end-to-end id) and the closing balance.
    let returned_for = |e2e: &str| {
        let mut rng = Rng::new(seed ^ fxhash(e2e));
        rng.chance(u64::from(returns_percent))
            .then(|| *rng.pick(RETURN_REASONS))
    };
    let totals = ixorg_store::collections::run_totals(&mut tx, run.id).await?;
    let mut debits = Vec::new();
    let (first, before) = ixorg_app::collections::end_to_end_range(date);
    for (sequence, ..) in &totals {
        let mut after = first.clone();
        loop {
            let page = ixorg_store::collections::file_debits_page(
                &mut tx,
                &grant,
                run.id,
                sequence,
                (&after, &before),
                5_000,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = last.end_to_end_id.clone();
            debits.extend(
                page.into_iter()
                    .map(|d| (d.end_to_end_id, d.amount, d.mandate)),
            );
        }
    }
    let mut closing = Cents::ZERO;
    for (e2e, amount, _) in &debits {
        closing = closing.checked_add(*amount).unwrap_or(closing);
        if returned_for(e2e).is_some() {
            closing = closing.checked_sub(*amount).unwrap_or(closing);
        }
    }
    let created = ixorg_app::output::created_at_of(ctx.now());
    let start = StatementStart {
        message_id: format!("BANKSIM-{}", run.message_id),
        statement_id: format!("STMT-{date}"),
        created_at: created,
        account_iban: operator.iban.clone(),
        opening_balance: SignedAmount {
            amount: Cents::ZERO,
            date: Some(date),
        },
        closing_balance: SignedAmount {
            amount: closing,
            date: Some(date),
        },
    };
    let mut writer =
        Camt053Writer::new(staged.writer().map_err(file_err)?, &start).map_err(file_err)?;
    let mut made = BankFile {
        credited: 0,
        returned: 0,
    };
    let entry =
        |e2e: &str, amount: Cents, mandate: &str, credit: bool, reason: Option<&str>| Entry {
            amount,
            credit,
            reversal: false,
            status: "BOOK".to_owned(),
            booking_date: Some(date),
            value_date: Some(date),
            account_servicer_ref: Some(format!("{}-{e2e}", if credit { "CR" } else { "RT" })),
            details: vec![TxDetail {
                end_to_end_id: Some(e2e.to_owned()),
                mandate_id: Some(mandate.to_owned()),
                payment_info_id: None,
                amount: Some(amount),
                return_reason: reason.map(str::to_owned),
                counterparty_iban: None,
                remittance: None,
            }],
        };
    for (e2e, amount, mandate) in &debits {
        writer
            .entry(&entry(e2e, *amount, mandate.as_str(), true, None))
            .map_err(file_err)?;
        made.credited += 1;
    }
    for (e2e, amount, mandate) in &debits {
        if let Some(reason) = returned_for(e2e) {
            writer
                .entry(&entry(e2e, *amount, mandate.as_str(), false, Some(reason)))
                .map_err(file_err)?;
            made.returned += 1;
        }
    }
    let mut inner = writer.finish().map_err(file_err)?;
    std::io::Write::flush(&mut inner).map_err(file_err)?;
    drop(inner);
    staged.sync().map_err(file_err)?;
    // The access-log entry of the read commits only with the file written (ixorg_app::output).
    tx.commit().await?;
    staged.publish().map_err(file_err)?;
    Ok(made)
}

/// Plays the bank for a payout run: a camt.053 statement that books each credit transfer of
/// the run for `date` as a debit of the operator's account.
pub async fn camt053_for_payouts(
    ctx: &AppContext,
    date: time::Date,
    out: &std::path::Path,
) -> Result<BankFile, SimulateError> {
    use ixorg_domain::Cents;
    use ixorg_formats::sepa::camt053::{
        Camt053Writer, Entry, SignedAmount, StatementStart, TxDetail,
    };
    let staged = StagedFile::create(out).map_err(file_err)?;
    let mut tx = ctx.db.begin_read().await?;
    let operator = ixorg_store::enrollment::operator_profile(&mut tx)
        .await?
        .ok_or(SimulateError::NoOperatorProfile)?;
    let run = ixorg_store::payouts::run_by_date(&mut tx, date)
        .await?
        .ok_or(SimulateError::NoRun)?;
    let payouts = ixorg_store::payouts::payouts_of_run(&mut tx, run.id).await?;
    tx.rollback().await?;
    let start = StatementStart {
        message_id: format!("BANKSIM-{}", run.message_id),
        statement_id: format!("STMT-PAY-{date}"),
        created_at: ixorg_app::output::created_at_of(ctx.now()),
        account_iban: operator.iban.clone(),
        opening_balance: SignedAmount {
            amount: run.control_sum,
            date: Some(date),
        },
        closing_balance: SignedAmount {
            amount: Cents::ZERO,
            date: Some(date),
        },
    };
    let mut writer =
        Camt053Writer::new(staged.writer().map_err(file_err)?, &start).map_err(file_err)?;
    for p in &payouts {
        let entry = Entry {
            amount: p.amount,
            credit: false,
            reversal: false,
            status: "BOOK".to_owned(),
            booking_date: Some(date),
            value_date: Some(date),
            account_servicer_ref: Some(format!("DT-{}", p.end_to_end_id)),
            details: vec![TxDetail {
                end_to_end_id: Some(p.end_to_end_id.clone()),
                mandate_id: None,
                payment_info_id: None,
                amount: Some(p.amount),
                return_reason: None,
                counterparty_iban: Some(p.creditor_iban.expose().to_owned()),
                remittance: Some(p.remittance.clone()),
            }],
        };
        writer.entry(&entry).map_err(file_err)?;
    }
    let mut inner = writer.finish().map_err(file_err)?;
    std::io::Write::flush(&mut inner).map_err(file_err)?;
    drop(inner);
    staged.publish().map_err(file_err)?;
    Ok(BankFile {
        credited: payouts.len() as u64,
        returned: 0,
    })
}

/// A small stable hash of a text (FNV-1a), to draw per end-to-end id.
fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl From<ixorg_app::access::AccessError> for SimulateError {
    fn from(e: ixorg_app::access::AccessError) -> Self {
        match e {
            ixorg_app::access::AccessError::Refused(r) => SimulateError::Refused(r),
            ixorg_app::access::AccessError::Store(s) => SimulateError::Store(s),
        }
    }
}

/// A failed write of the statement, with its cause.
fn file_err(e: impl Into<ixorg_app::ErrorCause>) -> SimulateError {
    SimulateError::File(e.into())
}
