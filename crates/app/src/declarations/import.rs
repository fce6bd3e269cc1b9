//! `ixorg import mz301 FILE --return OUT`: a Vektis MZ301 file in, its MZ302 return file out.
//!
//! All or nothing: the batch, its lines and outcomes and the ledger postings are committed in
//! one transaction, and the return file is written beside its final name first and moved into
//! place only after the commit. A file whose content was imported before is refused with the
//! earlier batch and its return file named.

use std::path::{Path, PathBuf};

use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, Decision, DeclarationLine, Outcome, Who};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_formats::vektis::{
    self, Line, Mz301Errors, Mz301File, Patient, RecordReturn, ReturnCode, ReturnHeader,
};
use ixorg_store::Tx;
use ixorg_store::declarations::{self as repo, Channel, PayeeAccount};
use ixorg_store::parties;
use sha2::{Digest, Sha256};
use time::Date;
use uuid::Uuid;

use super::{BatchMeta, DecideError, Item, decide_batch};
use crate::context::AppContext;

/// The largest MZ301 file accepted (about 4.5 million records).
pub const MZ301_BYTES_MAX: u64 = 1_400_000_000;

/// How often a batch is tried again after another batch stored the same line at the same
/// moment (the retry then decides it as a duplicate).
const RACE_RETRIES_MAX: usize = 3;

/// The RETOURCODE of the 01 record: the file was processed. ASSUMPTION: COD954 was not
/// available; see `docs/REASON-CODES.md`.
pub const MZ302_FILE_PROCESSED: &str = "8001";

/// Why an import failed. Nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read the MZ301 file: {0}")]
    Read(String),
    /// The file is larger than [`MZ301_BYTES_MAX`].
    #[error("the MZ301 file is larger than {MZ301_BYTES_MAX} bytes")]
    TooLarge,
    /// The same content was imported before.
    #[error(
        "this file was imported before as batch {batch} on {received_on}{}",
        return_file.as_ref().map(|f| format!("; its return file is {f}")).unwrap_or_default()
    )]
    AlreadyImported {
        /// The earlier batch.
        batch: Uuid,
        /// When it came in.
        received_on: Date,
        /// Where its return file was written.
        return_file: Option<String>,
    },
    /// The file breaks the MZ301 layout: every problem is listed.
    #[error("{0}")]
    Malformed(Mz301Errors),
    /// Who is to be paid is not registered.
    #[error("{0}")]
    UnknownPayee(String),
    /// The return file cannot be written.
    #[error("cannot write the MZ302 return file: {0}")]
    Return(String),
    /// Deciding or storing failed.
    #[error(transparent)]
    Decide(#[from] DecideError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The new batch.
    pub batch: Uuid,
    /// Lines per outcome, with what budgets paid for them.
    pub outcomes: Vec<(Outcome, u64, Cents)>,
    /// Sum of the declared amounts.
    pub declared: Cents,
    /// Sum of what budgets paid.
    pub assigned: Cents,
    /// The return file.
    pub return_file: PathBuf,
}

/// Imports the MZ301 file at `path` and writes its MZ302 to `return_file`.
pub async fn import_mz301(
    ctx: &AppContext,
    path: &Path,
    return_file: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let bytes = read_file(path).await?;
    let hash = Sha256::digest(&bytes).to_vec();
    let file = vektis::read_mz301(&bytes).map_err(ImportError::Malformed)?;
    let items = items_of(&file);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = ctx.db.begin().await?;
        refuse_repeat(&mut tx, &hash).await?;
        let payee = payee_of(&mut tx, &file).await?;
        let meta = BatchMeta {
            channel: Channel::Mz301,
            payee,
            sender_reference: file.header.invoice_number.clone(),
            content_hash: Some(hash.clone()),
            api_client: None,
            idempotency_key: None,
            return_file_name: Some(return_file.display().to_string()),
        };
        match decide_batch(ctx, &mut tx, "import-mz301", meta, &items, progress).await {
            Ok(decided) => {
                let temp = temp_path(return_file);
                let header = ReturnHeader {
                    insurer_reference: decided.batch.id.simple().to_string()[..24].to_owned(),
                    return_date: ctx.clock.today(),
                };
                let written = write_return(&file, &bytes, &header, &items, &decided.decisions)
                    .and_then(|mz302| {
                        std::fs::write(&temp, mz302).map_err(|e| ImportError::Return(e.to_string()))
                    });
                if let Err(e) = written {
                    tx.rollback().await?;
                    return Err(e);
                }
                if let Err(e) = tx.commit().await {
                    let _ = std::fs::remove_file(&temp);
                    return Err(e.into());
                }
                std::fs::rename(&temp, return_file)
                    .map_err(|e| ImportError::Return(e.to_string()))?;
                return Ok(report(decided.batch, &decided.decisions, return_file));
            }
            Err(DecideError::Raced) if attempt < RACE_RETRIES_MAX => {
                tx.rollback().await?;
                tracing::info!(attempt, "Declaration batch raced another; deciding again");
            }
            Err(e) => {
                tx.rollback().await?;
                return Err(e.into());
            }
        }
    }
}

async fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| ImportError::Read(e.to_string()))?
        .len();
    if size > MZ301_BYTES_MAX {
        return Err(ImportError::TooLarge);
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| ImportError::Read(e.to_string()))
}

fn temp_path(return_file: &Path) -> PathBuf {
    let mut name = return_file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

async fn refuse_repeat(tx: &mut Tx, hash: &[u8]) -> Result<(), ImportError> {
    match repo::batch_by_hash(tx, hash).await? {
        Some(earlier) => Err(ImportError::AlreadyImported {
            batch: earlier.id,
            received_on: earlier.received_on,
            return_file: earlier.return_file_name,
        }),
        None => Ok(()),
    }
}

/// IDENTIFICATIECODE BETALING AAN: 01 service bureau, 02 provider, 03 practice, 04 institution.
const PAYMENT_TO_SERVICE_BUREAU: u8 = 1;

/// Who is paid for the file's lines: the service bureau when the file says so, else the
/// practice (or institution) of the 01 record.
async fn payee_of(tx: &mut Tx, file: &Mz301File) -> Result<PayeeAccount, ImportError> {
    let header = &file.header;
    if header.payment_to == PAYMENT_TO_SERVICE_BUREAU {
        let bureau = header
            .service_bureau
            .as_ref()
            .ok_or_else(|| ImportError::UnknownPayee("the file pays the service bureau but names none (record 1, field Code servicebureau)".to_owned()))?;
        let id = repo::intermediary_by_agb(tx, bureau.as_str())
            .await?
            .ok_or_else(|| {
                ImportError::UnknownPayee(format!("service bureau {bureau} is not registered"))
            })?;
        return repo::payee_account(tx, None, Some(id))
            .await?
            .ok_or_else(|| {
                ImportError::UnknownPayee(format!("service bureau {bureau} has no payee account"))
            });
    }
    let practice = header
        .practice
        .as_ref()
        .or(header.institution.as_ref())
        .ok_or_else(|| {
            ImportError::UnknownPayee(
                "the file names no practice (record 1, field Praktijkcode)".to_owned(),
            )
        })?;
    let id = parties::practice_by_agb(tx, practice)
        .await?
        .ok_or_else(|| {
            ImportError::UnknownPayee(format!("practice {practice} is not registered"))
        })?;
    repo::payee_account(tx, Some(id), None)
        .await?
        .ok_or_else(|| {
            ImportError::UnknownPayee(format!("practice {practice} has no payee account"))
        })
}

/// The file's lines as declaration lines, in file order.
fn items_of(file: &Mz301File) -> Vec<Item> {
    let mut items = Vec::with_capacity(usize::try_from(file.totals.line_count).unwrap_or(0));
    for patient in &file.patients {
        for line in &patient.lines {
            items.push(Item {
                line: declaration_line(file, patient, line),
                record: Some(line.record),
            });
        }
    }
    items
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// One 04 record as a declaration line. The participant is named by our participant number
/// in VERZEKERDENNUMMER, or else by BSN with the 02 record's date of birth.
fn declaration_line(file: &Mz301File, patient: &Patient, line: &Line) -> DeclarationLine {
    let who = match (ParticipantNumber::parse(&line.insured_number), &line.bsn) {
        (Ok(number), _) => Who::Number(number),
        (Err(_), Some(bsn)) => Who::Bsn {
            bsn: bsn.clone(),
            birth_date: patient.birth_date,
        },
        (Err(_), None) => Who::Unidentified,
    };
    DeclarationLine {
        reference: line.reference.to_string(),
        previous_reference: non_empty(&line.previous_reference),
        who,
        provider: line.provider.clone(),
        practice: file.header.practice.clone(),
        treatment_date: line.treatment_date,
        code: line.code.to_string(),
        element: non_empty(&line.element),
        surface: non_empty(&line.surface),
        cost: if line.is_honorarium() {
            CostKind::Honorarium
        } else {
            CostKind::MaterialOrTechnician
        },
        quantity: line.quantity,
        unit_tariff: line.tariff,
        amount: line.declared,
        accident: line.accident == Some(vektis::Accident::Yes),
    }
}

/// The MZ302 of the file: each 04 record with its calculated and assigned amounts and up to
/// three return codes.
fn write_return(
    file: &Mz301File,
    original: &[u8],
    header: &ReturnHeader,
    items: &[Item],
    decisions: &[Decision],
) -> Result<Vec<u8>, ImportError> {
    let records = usize::try_from(file.totals.detail_count)
        .unwrap_or(0)
        .saturating_add(2);
    let mut by_record: Vec<Option<u32>> = vec![None; records + 1];
    for (index, item) in items.iter().enumerate() {
        if let Some(slot) = item.record.and_then(|r| by_record.get_mut(r)) {
            *slot = u32::try_from(index).ok();
        }
    }
    let processed = ReturnCode::parse(MZ302_FILE_PROCESSED).ok();
    let returns = |record: usize| -> RecordReturn {
        if record == 1 {
            return RecordReturn {
                codes: [processed.clone(), None, None],
                ..RecordReturn::default()
            };
        }
        let Some(index) = by_record.get(record).copied().flatten() else {
            return RecordReturn::default();
        };
        let index = index as usize;
        let (item, decision) = (&items[index], &decisions[index]);
        let mut codes = [None, None, None];
        for (slot, reason) in codes.iter_mut().zip(&decision.reasons) {
            *slot = ReturnCode::parse(reason.mz302_code()).ok();
        }
        RecordReturn {
            calculated: if decision.outcome == Outcome::Rejected {
                Cents::ZERO
            } else {
                item.line.amount
            },
            assigned: decision.budget_paid,
            codes,
        }
    };
    vektis::write_mz302(file, original, header, &returns)
        .map_err(|e| ImportError::Return(e.to_string()))
}

fn report(batch: repo::Batch, decisions: &[Decision], return_file: &Path) -> ImportReport {
    let mut outcomes: Vec<(Outcome, u64, Cents)> = Vec::new();
    for decision in decisions {
        match outcomes.iter_mut().find(|(o, _, _)| *o == decision.outcome) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 = entry.2.checked_add(decision.budget_paid).unwrap_or(entry.2);
            }
            None => outcomes.push((decision.outcome, 1, decision.budget_paid)),
        }
    }
    ImportReport {
        batch: batch.id,
        outcomes,
        declared: batch.declared,
        assigned: batch.assigned,
        return_file: return_file.to_path_buf(),
    }
}
