//! `ixorg import mz301 FILE --return OUT`: a Vektis MZ301 file in, its MZ302 return file out.
//!
//! All or nothing: the batch, its lines and outcomes and the ledger postings are committed in
//! one transaction, and the return file is written beside its final name first and moved into
//! place only after the commit. A file whose content was imported before is refused with the
//! earlier batch and its return file named.

use std::collections::HashMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use ixorg_domain::Cents;
use ixorg_domain::declaration::{Decision, Outcome};
use ixorg_domain::ids::DeclarationBatchId;
use ixorg_formats::vektis::{
    self, Mz301Errors, Mz302Writer, Patient, RecordReturn, ReturnCode, ReturnHeader,
};
use ixorg_store::Tx;
use ixorg_store::declarations::{self as repo, Channel};
use time::Date;

use super::{BatchMeta, DecideError, Decider, Item};
use crate::context::AppContext;
use files::{Files, READ_BUFFER_BYTES, hash_file};
use sender::{declaration_line, payee_of, sender_of};
use threads::{ReadChunk, WriteBlock, spawn_reader, spawn_writer};

mod files;
mod sender;
mod threads;

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
    Read(#[source] crate::ErrorCause),
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
        batch: DeclarationBatchId,
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
    /// Who sent the file (the service bureau it names, or else its practice) is not registered.
    #[error("{0}")]
    UnknownSender(String),
    /// The return file cannot be written.
    #[error("cannot write the MZ302 return file: {0}")]
    Return(#[source] crate::ErrorCause),
    /// The file changed between the check and the import (nothing was stored).
    #[error("the file changed while it was being imported; nothing was imported")]
    Changed,
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
    pub batch: DeclarationBatchId,
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
///
/// Two passes over the file, record by record, so memory does not grow with it: the first
/// checks the whole file (a malformed file is refused before anything is stored) and takes
/// its content hash; the second decides the lines chunk by chunk in one transaction and
/// streams the MZ302 beside `return_file`, which is moved into place after the commit.
pub async fn import_mz301(
    ctx: &AppContext,
    path: &Path,
    return_file: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    import_mz301_in_chunks(ctx, path, return_file, CHUNK_LINES, progress).await
}

/// [`import_mz301`] deciding about `chunk_lines` lines at a time (tests use small chunks to
/// show that the chunks add up to the whole).
pub async fn import_mz301_in_chunks(
    ctx: &AppContext,
    path: &Path,
    return_file: &Path,
    chunk_lines: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let chunk_lines = chunk_lines.max(1);
    // An unwritable return file fails here, before anything is stored (crate::output).
    crate::output::StagedFile::create(return_file).map_err(|e| ImportError::Return(e.into()))?;
    let hash = hash_file(path)?;
    let temp = temp_path(return_file);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = ctx.db.begin().await?;
        let files = Files {
            path,
            return_file,
            temp: &temp,
        };
        let decided = decide_file(ctx, &mut tx, &files, &hash, chunk_lines, progress).await;
        match decided {
            Ok(report) => {
                if let Err(e) = tx.commit().await {
                    let _ = std::fs::remove_file(&temp);
                    return Err(e.into());
                }
                std::fs::rename(&temp, return_file).map_err(|e| ImportError::Return(e.into()))?;
                return Ok(report);
            }
            Err(ImportError::Decide(DecideError::Raced)) if attempt < RACE_RETRIES_MAX => {
                tx.rollback().await?;
                let _ = std::fs::remove_file(&temp);
                tracing::info!(attempt, "Declaration batch raced another; deciding again");
            }
            Err(e) => {
                tx.rollback().await?;
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        }
    }
}

/// Lines decided per chunk.
const CHUNK_LINES: usize = 10_000;

/// The second pass, in `tx`: the batch decided chunk by chunk, the MZ302 streamed to `temp`.
async fn decide_file(
    ctx: &AppContext,
    tx: &mut Tx,
    files: &Files<'_>,
    hash: &[u8],
    chunk_lines: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let Files {
        path,
        return_file,
        temp,
    } = *files;
    let take_every = chunk_lines.clamp(1, 256);
    refuse_repeat(tx, hash).await?;
    let mut chunks = spawn_reader(path.to_path_buf(), chunk_lines, take_every)?;
    let header = match chunks.recv().await {
        Some(ReadChunk::Header(header)) => header,
        Some(ReadChunk::End(Err(e))) => return Err(e),
        _ => return Err(ImportError::Read("the file reader stopped".into())),
    };
    let payee = payee_of(tx, &header).await?;
    let sender = sender_of(tx, &header).await?;
    let meta = BatchMeta {
        channel: Channel::Mz301,
        sender,
        request_hash: None,
        payee,
        sender_reference: header.invoice_number.clone(),
        content_hash: Some(hash.to_vec()),
        api_client: None,
        idempotency_key: None,
        return_file_name: Some(return_file.display().to_string()),
    };
    let mut decider = Decider::start(ctx, tx, "import-mz301", meta).await?;
    let return_header = ReturnHeader {
        insurer_reference: decider.batch_id().uuid().simple().to_string()[..24].to_owned(),
        return_date: ctx.clock.today(),
    };
    let out = std::fs::File::create(temp).map_err(|e| ImportError::Return(e.into()))?;
    let writer = Mz302Writer::new(
        BufWriter::with_capacity(READ_BUFFER_BYTES, out),
        return_header,
    );
    let (blocks, written) = spawn_writer(writer);
    let mut pass = Pass {
        header,
        outcomes: Vec::new(),
        done: 0,
    };
    let (totals, read_hash) = loop {
        match chunks.recv().await {
            Some(ReadChunk::Patients { patients, records }) => {
                let returns = pass.decide(&mut decider, tx, patients).await?;
                blocks
                    .send(WriteBlock::Records { records, returns })
                    .map_err(|_| ImportError::Return("the MZ302 writer stopped".into()))?;
                progress(pass.done);
            }
            Some(ReadChunk::End(end)) => break end?,
            Some(ReadChunk::Header(_)) | None => {
                return Err(ImportError::Read("the file reader stopped".into()));
            }
        }
    };
    if read_hash != hash {
        return Err(ImportError::Changed);
    }
    blocks
        .send(WriteBlock::End(totals))
        .map_err(|_| ImportError::Return("the MZ302 writer stopped".into()))?;
    written
        .join()
        .map_err(|_| ImportError::Return("the MZ302 writer failed".into()))??;
    let batch = decider.finish(tx).await?;
    Ok(ImportReport {
        batch: batch.id,
        outcomes: pass.outcomes,
        declared: batch.declared,
        assigned: batch.assigned,
        return_file: return_file.to_path_buf(),
    })
}

/// The decider's side of the second pass: the header of the file and what was decided.
struct Pass {
    header: vektis::Header,
    outcomes: Vec<(Outcome, u64, Cents)>,
    done: u64,
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

impl Pass {
    /// Decides the lines of `patients`; returns the return sections of their records.
    async fn decide(
        &mut self,
        decider: &mut Decider<'_>,
        tx: &mut Tx,
        patients: Vec<Patient>,
    ) -> Result<HashMap<usize, RecordReturn>, ImportError> {
        let items: Vec<Item> = patients
            .iter()
            .flat_map(|patient| {
                patient.lines.iter().map(|line| Item {
                    line: declaration_line(&self.header, patient, line),
                    record: Some(line.record),
                })
            })
            .collect();
        let mut returns = HashMap::with_capacity(items.len());
        if items.is_empty() {
            return Ok(returns);
        }
        let decisions = decider.decide(tx, &items).await?;
        for (item, decision) in items.iter().zip(&decisions) {
            self.count(decision);
            if let Some(record) = item.record {
                returns.insert(record, line_return(item, decision));
            }
        }
        self.done += items.len() as u64;
        Ok(returns)
    }

    fn count(&mut self, decision: &Decision) {
        match self
            .outcomes
            .iter_mut()
            .find(|(o, _, _)| *o == decision.outcome)
        {
            Some(entry) => {
                entry.1 += 1;
                entry.2 = entry.2.checked_add(decision.budget_paid).unwrap_or(entry.2);
            }
            None => self
                .outcomes
                .push((decision.outcome, 1, decision.budget_paid)),
        }
    }
}

/// The return section of a decided 04 record: calculated and assigned amounts and up to three
/// return codes.
fn line_return(item: &Item, decision: &Decision) -> RecordReturn {
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
}
