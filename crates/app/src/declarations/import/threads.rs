//! The threads beside the decider: one reads and parses the file chunk by chunk, one writes
//! the MZ302 return file.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;

use ixorg_formats::vektis::{
    self, Header, Mz301Stream, Mz302Writer, Patient, RecordReturn, ReturnCode,
};
use sha2::{Digest, Sha256};

use super::files::{open, read_record};
use super::{ImportError, MZ302_FILE_PROCESSED};

/// What the reading thread sends: the complete verzekerden of a chunk with their raw records
/// (consecutive, from where the previous chunk ended), and at the end the totals and the hash.
pub(super) enum ReadChunk {
    /// The voorloop record, sent once it is read without problems.
    Header(Header),
    Patients {
        patients: Vec<Patient>,
        records: Vec<u8>,
    },
    End(Result<(vektis::Totals, Vec<u8>), ImportError>),
}

/// Chunks read ahead of the decider (each at most `chunk_lines` lines and its records).
const CHUNKS_AHEAD: usize = 1;

/// Reads and parses the file on its own thread while the decider works, chunk by chunk.
pub(super) fn spawn_reader(
    path: PathBuf,
    chunk_lines: usize,
    take_every: usize,
) -> Result<tokio::sync::mpsc::Receiver<ReadChunk>, ImportError> {
    let (send, receive) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
    let mut reader = open(&path)?;
    std::thread::Builder::new()
        .name("mz301-reader".to_owned())
        .spawn(move || {
            let end = read_chunks(&mut reader, chunk_lines, take_every, &send);
            let _ = send.blocking_send(ReadChunk::End(end));
        })
        .map_err(|e| ImportError::Read(e.into()))?;
    Ok(receive)
}

/// The reading thread's loop; returns the totals and the hash, or stops when the decider is
/// gone.
fn read_chunks(
    reader: &mut BufReader<std::fs::File>,
    chunk_lines: usize,
    take_every: usize,
    send: &tokio::sync::mpsc::Sender<ReadChunk>,
) -> Result<(vektis::Totals, Vec<u8>), ImportError> {
    let length = vektis::MZ301_V1_3.record_length;
    let mut hasher = Sha256::new();
    let mut stream = Mz301Stream::new();
    let mut buf = Vec::with_capacity(512);
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_first = 1;
    let mut chunk: Vec<Patient> = Vec::new();
    let mut lines_waiting = 0;
    let mut header_sent = false;
    while read_record(reader, &mut buf, &mut hasher)? {
        stream.record(&buf);
        if stream.has_errors() {
            // Keep reading for every problem; nothing more is decided (the caller rolls back).
            pending.clear();
            chunk.clear();
            let _ = stream.take_complete();
            continue;
        }
        if !header_sent && let Some(header) = stream.header() {
            header_sent = true;
            if send
                .blocking_send(ReadChunk::Header(header.clone()))
                .is_err()
            {
                return Err(ImportError::Read("the import stopped".into()));
            }
        }
        if !buf.starts_with(b"99") {
            pending.extend_from_slice(&buf);
        }
        if stream.records().is_multiple_of(take_every) {
            let taken = stream.take_complete();
            lines_waiting += taken.iter().map(|p| p.lines.len()).sum::<usize>();
            chunk.extend(taken);
        }
        if lines_waiting >= chunk_lines {
            let upto = stream.open_from().unwrap_or(stream.records() + 1);
            let count = upto
                .saturating_sub(pending_first)
                .min(pending.len() / length);
            let rest = pending.split_off(count * length);
            let records = std::mem::replace(&mut pending, rest);
            pending_first += count;
            let patients = std::mem::take(&mut chunk);
            lines_waiting = 0;
            if send
                .blocking_send(ReadChunk::Patients { patients, records })
                .is_err()
            {
                return Err(ImportError::Read("the import stopped".into()));
            }
        }
    }
    let file = stream.finish().map_err(ImportError::Malformed)?;
    chunk.extend(file.patients);
    let records = std::mem::take(&mut pending);
    if send
        .blocking_send(ReadChunk::Patients {
            patients: chunk,
            records,
        })
        .is_err()
    {
        return Err(ImportError::Read("the import stopped".into()));
    }
    Ok((file.totals, hasher.finalize().to_vec()))
}

/// What the writing thread receives: records with the returns of their lines, then the end.
pub(super) enum WriteBlock {
    Records {
        records: Vec<u8>,
        returns: HashMap<usize, RecordReturn>,
    },
    End(vektis::Totals),
}

type Mz302Out = Mz302Writer<BufWriter<std::fs::File>>;

/// Writes the MZ302 on its own thread as blocks of decided records arrive.
pub(super) fn spawn_writer(
    writer: Mz302Out,
) -> (
    std::sync::mpsc::SyncSender<WriteBlock>,
    std::thread::JoinHandle<Result<(), ImportError>>,
) {
    let (send, receive) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
    let handle = std::thread::spawn(move || write_blocks(writer, &receive));
    (send, handle)
}

fn write_blocks(
    mut writer: Mz302Out,
    blocks: &std::sync::mpsc::Receiver<WriteBlock>,
) -> Result<(), ImportError> {
    let length = vektis::MZ301_V1_3.record_length;
    let processed = ReturnCode::parse(MZ302_FILE_PROCESSED).ok();
    let failed = |e: vektis::WriteError| ImportError::Return(e.into());
    while let Ok(block) = blocks.recv() {
        match block {
            WriteBlock::Records {
                records,
                mut returns,
            } => {
                for raw in records.chunks_exact(length) {
                    let record = writer.records() + 1;
                    let outcome = if record == 1 {
                        RecordReturn {
                            codes: [processed.clone(), None, None],
                            ..RecordReturn::default()
                        }
                    } else {
                        returns.remove(&record).unwrap_or_default()
                    };
                    writer.record(raw, &outcome).map_err(failed)?;
                }
            }
            WriteBlock::End(totals) => {
                writer.finish(&totals).map_err(failed)?;
                return Ok(());
            }
        }
    }
    Err(ImportError::Return(
        "the import stopped before the end".into(),
    ))
}
