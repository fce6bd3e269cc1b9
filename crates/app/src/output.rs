//! Files that a use case writes together with its transaction: a run's pain.001 or pain.008,
//! the settlement files, an access export. Every command that writes a file uses
//! [`StagedFile`], so that it either commits and has its file, or commits nothing. (The MZ301
//! import streams its MZ302 return file in the same order with its own temporary file, and
//! checks the output with [`StagedFile::create`] before any work.)
//!
//! The order, and why:
//!
//! 1. [`StagedFile::create`] opens a temporary file beside the output, in the target directory,
//!    before any work. A missing directory, a parent that is not a directory, an output that is
//!    a directory or a directory we cannot write to fails here, when nothing is stored yet.
//! 2. Inside the transaction, the use case writes the whole content into the temporary file and
//!    calls [`StagedFile::sync`] (flushed and `fsync`ed). A write error (a full disk, say)
//!    returns before the commit: the transaction rolls back, and the temporary file is removed
//!    when the [`StagedFile`] is dropped.
//! 3. The transaction commits. A failed commit drops the [`StagedFile`]: no file appears.
//! 4. [`StagedFile::publish`] renames the temporary file to the output's name (an atomic
//!    rename within one directory) and syncs the directory.
//!
//! So a file at the output path never exists without its committed run: it is renamed into
//! place only after the commit. A committed run without its file needs the rename itself to fail
//! after the commit, in a directory we just wrote a file into; the error then names the
//! temporary file, which is kept and holds the complete content, and the run commands write
//! the same file again when run for the same date. Writing before the commit (rather than
//! committing first and writing after) is what makes a disk-full or permission error cost
//! nothing: the expensive, fallible part happens while the transaction can still roll back.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use ixorg_domain::timestamp::Timestamp;
use time::{Date, PrimitiveDateTime};

/// Bytes buffered by the writer of a staged file.
const BUFFER_BYTES: usize = 256 * 1024;

/// Why an output file could not be written: which path and what failed (the path is the one
/// the operator gave on the command line). The use case's error says which file it was.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct OutputError {
    /// The output (or temporary) file.
    pub path: PathBuf,
    /// What failed.
    pub problem: String,
}

impl OutputError {
    fn new(path: &Path, problem: impl std::fmt::Display) -> OutputError {
        OutputError {
            path: path.to_owned(),
            problem: problem.to_string(),
        }
    }
}

/// An output file being written: a temporary file beside `out` that is renamed into place only
/// after the transaction committed (see the module docs). Dropped unpublished, it removes the
/// temporary file.
#[derive(Debug)]
pub struct StagedFile {
    out: PathBuf,
    temp: PathBuf,
    file: File,
    published: bool,
}

impl StagedFile {
    /// Opens the temporary file for `out` (`<name>.partial` in the same directory). Call it
    /// before any work, so an unwritable output fails while nothing is stored.
    ///
    /// # Errors
    /// [`OutputError`] when `out` has no file name, is a directory, or the temporary file
    /// cannot be created (a missing directory, a parent that is a file, no permission).
    pub fn create(out: &Path) -> Result<StagedFile, OutputError> {
        let Some(name) = out.file_name() else {
            return Err(OutputError::new(out, "the path names no file"));
        };
        if out.is_dir() {
            return Err(OutputError::new(out, "it is a directory"));
        }
        let mut temp_name = name.to_owned();
        temp_name.push(".partial");
        let temp = out.with_file_name(temp_name);
        let file = File::create(&temp).map_err(|e| OutputError::new(out, e))?;
        Ok(StagedFile {
            out: out.to_owned(),
            temp,
            file,
            published: false,
        })
    }

    /// The output path.
    pub fn path(&self) -> &Path {
        &self.out
    }

    /// A buffered writer into the temporary file (a second handle to it). Flush it before
    /// [`StagedFile::sync`]; the writers of `formats` do when they finish.
    ///
    /// # Errors
    /// [`OutputError`] when the handle cannot be duplicated.
    pub fn writer(&self) -> Result<BufWriter<File>, OutputError> {
        let handle = self.file.try_clone().map_err(|e| self.error(e))?;
        Ok(BufWriter::with_capacity(BUFFER_BYTES, handle))
    }

    /// Writes `bytes` as the whole content of the temporary file.
    ///
    /// # Errors
    /// [`OutputError`] when writing fails.
    pub fn write_all(&self, bytes: &[u8]) -> Result<(), OutputError> {
        let mut w = self.writer()?;
        w.write_all(bytes).map_err(|e| self.error(e))?;
        w.flush().map_err(|e| self.error(e))
    }

    /// Forces the written content to disk. Call it before the commit.
    ///
    /// # Errors
    /// [`OutputError`] when the file system refuses.
    pub fn sync(&self) -> Result<(), OutputError> {
        self.file.sync_all().map_err(|e| self.error(e))
    }

    /// An error about this output file.
    pub fn error(&self, problem: impl std::fmt::Display) -> OutputError {
        OutputError::new(&self.out, problem)
    }

    /// Renames the temporary file into place and syncs the directory. Call it after the
    /// commit. On failure the temporary file is kept (it holds the complete content) and the
    /// error names it.
    ///
    /// # Errors
    /// [`OutputError`] when syncing or the rename fails.
    pub fn publish(mut self) -> Result<PathBuf, OutputError> {
        self.sync()?;
        if let Err(e) = std::fs::rename(&self.temp, &self.out) {
            self.published = true;
            return Err(OutputError::new(
                &self.out,
                format!("{e}; the complete file is kept as {}", self.temp.display()),
            ));
        }
        self.published = true;
        if let Some(dir) = self.out.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(dir) = File::open(dir)
        {
            // A directory sync makes the rename durable; some file systems do not allow it,
            // and the file is complete either way.
            let _ = dir.sync_all();
        }
        Ok(self.out.clone())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.published {
            // Nothing was committed for it: the temporary file goes. Failing to remove it is
            // harmless, the next run for the same output truncates it.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A date as `YYYYMMDD`, for message and end-to-end ids.
pub(crate) fn date_code(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An instant as a file timestamp (UTC, whole seconds).
pub fn created_at_of(at: Timestamp) -> PrimitiveDateTime {
    let at = at.to_offset_date_time_or_epoch();
    let at = at.replace_nanosecond(0).unwrap_or(at);
    PrimitiveDateTime::new(at.date(), at.time())
}

/// The operator as the holder of its own account in a payment file: the debtor of a payout
/// block, the creditor of a collection block.
pub(crate) fn operator_holder(
    operator: &ixorg_store::enrollment::OperatorProfile,
) -> ixorg_formats::sepa::AccountHolder {
    ixorg_formats::sepa::AccountHolder {
        name: operator.legal_name.clone(),
        iban: operator.iban.clone(),
        bic: operator.bic.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ixorg-output-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn a_published_file_has_its_content_and_no_temporary_file_is_left() {
        // Arrange
        let out = dir("publish").join("run.xml");
        // Act
        let staged = StagedFile::create(&out).expect("create");
        staged.write_all(b"<Document/>").expect("write");
        staged.sync().expect("sync");
        staged.publish().expect("publish");
        // Assert
        assert_eq!(std::fs::read(&out).expect("read"), b"<Document/>");
        assert!(!out.with_file_name("run.xml.partial").exists());
    }

    #[test]
    fn a_staged_file_dropped_before_publishing_leaves_nothing() {
        // Arrange
        let out = dir("drop").join("run.xml");
        // Act
        let staged = StagedFile::create(&out).expect("create");
        staged.write_all(b"half").expect("write");
        drop(staged);
        // Assert
        assert!(!out.exists());
        assert!(!out.with_file_name("run.xml.partial").exists());
    }

    #[test]
    fn an_output_under_a_file_a_missing_directory_or_on_a_directory_is_refused_at_once() {
        // Arrange
        let base = dir("refuse");
        let file = base.join("plain");
        std::fs::write(&file, b"x").expect("file");
        // Act / Assert
        for out in [
            file.join("x.xml"),
            base.join("missing").join("x.xml"),
            base.clone(),
        ] {
            let err = StagedFile::create(&out).expect_err("refused");
            assert!(
                err.path == out && !out.with_extension("partial").exists(),
                "{err}"
            );
        }
    }
}
