//! A new run's direct debits spooled per sequence type while the run is built, so that its
//! file is put together at the end without reading the run back.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::{Path, PathBuf};

use ixorg_domain::collection::SequenceType;
use ixorg_formats::sepa::AccountHolder;
use ixorg_formats::sepa::pain008::{DirectDebit, Pain008DebitSpool, SpooledDebits};
use ixorg_store::collections::NewContribution;
use time::Date;

use super::CollectError;
use super::file::{amendment, file_err, remittance};

/// Bytes buffered per spool file.
const SPOOL_BUFFER_BYTES: usize = 64 * 1024;

/// Where the direct debits of one sequence type are spooled while a run for `out` is built.
pub(super) fn spool_path(out: &Path, sequence: SequenceType) -> PathBuf {
    out.with_extension(format!("{sequence}.partial"))
}

/// A new run's direct debits, written ahead into one spool file per sequence type (beside the
/// output file) while the run is built, so that the file is put together at the end without
/// reading the run back from the database.
pub(super) struct Spools {
    out: PathBuf,
    remittance: String,
    /// Keyed by code, so that the blocks come in the order of the codes.
    open: BTreeMap<
        &'static str,
        (
            SequenceType,
            Pain008DebitSpool<std::io::BufWriter<std::fs::File>>,
        ),
    >,
    files: SpoolFiles,
}

/// The spooled debits per sequence type, in file order (the order of the codes), and the
/// files that hold them.
pub(super) struct Spooled {
    pub(super) blocks: Vec<(SequenceType, SpooledDebits)>,
    #[expect(dead_code, reason = "held only to remove the files when dropped")]
    files: SpoolFiles,
}

/// Spool files, removed when dropped: after the file is written, or when the run fails.
#[derive(Default)]
struct SpoolFiles(Vec<PathBuf>);

impl Drop for SpoolFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            // A leftover spool file is harmless: the next run for the same output replaces it.
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Spools {
    pub(super) fn new(out: &Path, date: Date) -> Spools {
        Spools {
            out: out.to_owned(),
            remittance: remittance(date),
            open: BTreeMap::new(),
            files: SpoolFiles::default(),
        }
    }

    /// Spools the direct debit of a contribution.
    pub(super) fn add(&mut self, c: &NewContribution) -> Result<(), CollectError> {
        let (_, spool) = match self.open.entry(c.sequence_type.as_str()) {
            Entry::Occupied(open) => open.into_mut(),
            Entry::Vacant(new) => {
                let path = spool_path(&self.out, c.sequence_type);
                let file = std::fs::File::create(&path).map_err(file_err)?;
                self.files.0.push(path);
                let buffered = std::io::BufWriter::with_capacity(SPOOL_BUFFER_BYTES, file);
                new.insert((c.sequence_type, Pain008DebitSpool::new(buffered)))
            }
        };
        let debit = DirectDebit {
            end_to_end_id: c.end_to_end_id.clone(),
            amount: c.amount,
            mandate_id: c.mandate.clone(),
            mandate_signed_on: c.mandate_signed_on,
            amendment: c.amendment_from_iban.clone().map(amendment),
            debtor: AccountHolder {
                name: c.debtor_name.clone(),
                iban: c.debtor_iban.clone(),
                bic: None,
            },
            remittance: self.remittance.clone(),
        };
        spool.debit(&debit).map_err(file_err)
    }

    /// Flushes every spool.
    pub(super) fn finish(self) -> Result<Spooled, CollectError> {
        let mut blocks = Vec::with_capacity(self.open.len());
        for (sequence, spool) in self.open.into_values() {
            let (_, written) = spool.finish().map_err(file_err)?;
            blocks.push((sequence, written));
        }
        Ok(Spooled {
            blocks,
            files: self.files,
        })
    }
}
