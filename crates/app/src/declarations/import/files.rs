//! The files of an import: records read and hashed, the input opened, the whole file hashed.

use std::io::{BufRead, BufReader, Read as _};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{ImportError, MZ301_BYTES_MAX};

/// The files of an import.
#[derive(Clone, Copy)]
pub(super) struct Files<'a> {
    pub(super) path: &'a Path,
    pub(super) return_file: &'a Path,
    pub(super) temp: &'a Path,
}

/// The longest record kept; a longer one is reported as too long and the rest of its line
/// skipped.
const RECORD_BYTES_MAX: u64 = 4_096;

/// Reads the next record into `buf` (line ending removed), hashing every byte read; `false`
/// at the end of the file.
pub(super) fn read_record(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    hasher: &mut Sha256,
) -> Result<bool, ImportError> {
    let io = |e: std::io::Error| ImportError::Read(e.into());
    buf.clear();
    let n = reader
        .by_ref()
        .take(RECORD_BYTES_MAX)
        .read_until(b'\n', buf)
        .map_err(io)?;
    if n == 0 {
        return Ok(false);
    }
    hasher.update(&buf[..]);
    if buf.last() != Some(&b'\n') && n as u64 == RECORD_BYTES_MAX {
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let m = reader
                .by_ref()
                .take(RECORD_BYTES_MAX)
                .read_until(b'\n', &mut rest)
                .map_err(io)?;
            hasher.update(&rest[..]);
            if m == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(true)
}

pub(super) fn open(path: &Path) -> Result<BufReader<std::fs::File>, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::Read(e.into()))?;
    let size = file
        .metadata()
        .map_err(|e| ImportError::Read(e.into()))?
        .len();
    if size > MZ301_BYTES_MAX {
        return Err(ImportError::TooLarge);
    }
    Ok(BufReader::with_capacity(READ_BUFFER_BYTES, file))
}

/// Bytes read from the file at a time.
pub(super) const READ_BUFFER_BYTES: usize = 1 << 20;

/// The first pass: the file's SHA-256, so a file imported before is refused before any work.
pub(super) fn hash_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut reader = open(path)?;
    let mut hasher = Sha256::new();
    loop {
        let block = reader.fill_buf().map_err(|e| ImportError::Read(e.into()))?;
        if block.is_empty() {
            return Ok(hasher.finalize().to_vec());
        }
        hasher.update(block);
        let read = block.len();
        reader.consume(read);
    }
}
