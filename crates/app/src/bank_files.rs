//! What our SEPA files are known by at the bank: the range of a collection run's end-to-end
//! ids and the creation time a file carries. The reconciliation matches the bank's answers by
//! these; the bank simulator of `ixorg-tools` writes its statements with them, so both sides
//! use the one definition in [`crate::collections`].

use time::{Date, PrimitiveDateTime};

// TODO(#12): make these two `pub` in `collections` itself and drop this module, once that
// file is free to change (another part of issue 12 edits it).

/// Bounds that enclose every end-to-end id of the collection run on `date` (both exclusive):
/// the run's prefix, which sorts before each id, and the prefix with `~`, which sorts after.
pub fn collection_end_to_end_range(date: Date) -> (String, String) {
    crate::collections::end_to_end_range(date)
}

/// A unix-millisecond instant as a file's creation time (UTC, whole seconds).
pub fn file_created_at(ms: i64) -> PrimitiveDateTime {
    crate::collections::created_at_of(ms)
}
