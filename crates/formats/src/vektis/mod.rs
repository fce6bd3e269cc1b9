//! Vektis MZ301 (declaratie mondzorg, EI code 176) reader and MZ302 (retourinformatie, EI code
//! 177) writer, version 1.3, as laid out in `shared/domain/MZ301.md`.
//!
//! A version is a table of fields ([`spec::MZ301_V1_3`]), not code: the reader checks every
//! field against the table, then the record order, the detail-record ids, the
//! bijkomende-kosten rule and the sluit record's counts and total. A malformed file yields
//! every problem (bounded by [`ERRORS_MAX`]) with record number, position and field name, and
//! nothing else; no input makes the reader panic.

mod error;
mod fields;
mod model;
mod mz302;
mod read;
pub mod spec;
mod synthetic;
mod write;

pub use error::{ERRORS_MAX, Mz301Error, Mz301Errors, Problem};
pub use model::{
    Accident, Comment, Debtor, FieldText, Header, Line, MessageKind, Mz301File, Patient, Totals,
};
pub use mz302::{
    Mz302Writer, RETURN_CODE_DIGITS, RecordReturn, ReturnCode, ReturnHeader, write_mz302,
};
pub use read::{Mz301Stream, RECORDS_MAX, read_mz301};
pub use spec::{
    FieldKind, FieldSpec, MZ301_V1_3, MZ302_V1_3, RecordSpec, Requiredness, VersionSpec,
};
pub use synthetic::synthetic_file;
pub use write::{Mz301Writer, WriteError, WriteProblem, write_mz301};
