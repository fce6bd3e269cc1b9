//! Hash chains: the ledger and the access log each carry, per entry, the SHA-256 of the previous
//! entry's hash and this entry's canonical bytes. A `chain_head` row per chain holds the last
//! sequence and hash; appending locks it, which serialises appends on both databases.

use sha2::{Digest, Sha256};

use crate::{Error, Tx, on_tx};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The hash before the first entry of a chain.
pub const GENESIS: Hash = [0; 32];

/// The chains kept in `chain_head`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chain {
    /// The access log.
    AccessLog,
    /// The ledger's transfers.
    LedgerTransfer,
}

impl Chain {
    /// The chain's name (and table name).
    pub fn as_str(self) -> &'static str {
        match self {
            Chain::AccessLog => "access_log",
            Chain::LedgerTransfer => "ledger_transfer",
        }
    }
}

/// Builds the canonical bytes of an entry: each field length-prefixed, so no two different
/// entries share an encoding.
#[derive(Default)]
pub struct Canonical {
    hasher: Sha256,
}

impl Canonical {
    /// Starts an entry after `prev`.
    pub fn after(prev: &Hash) -> Canonical {
        let mut c = Canonical::default();
        c.hasher.update(prev);
        c
    }

    /// Adds a byte field.
    pub fn bytes(mut self, field: &[u8]) -> Self {
        self.hasher.update((field.len() as u64).to_be_bytes());
        self.hasher.update(field);
        self
    }

    /// Adds a text field.
    pub fn text(self, field: &str) -> Self {
        self.bytes(field.as_bytes())
    }

    /// Adds an optional byte field (absent is distinct from empty).
    pub fn opt_bytes(mut self, field: Option<&[u8]>) -> Self {
        match field {
            Some(b) => {
                self.hasher.update([1]);
                self.bytes(b)
            }
            None => {
                self.hasher.update([0]);
                self
            }
        }
    }

    /// Adds an optional text field.
    pub fn opt_text(self, field: Option<&str>) -> Self {
        self.opt_bytes(field.map(str::as_bytes))
    }

    /// Adds a number.
    pub fn int(mut self, n: i64) -> Self {
        self.hasher.update(n.to_be_bytes());
        self
    }

    /// The entry's hash.
    pub fn finish(self) -> Hash {
        self.hasher.finalize().into()
    }
}

/// The head of a chain as locked for an append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// The sequence of the last entry (0 when empty).
    pub last_sequence: i64,
    /// The hash of the last entry ([`GENESIS`] when empty).
    pub last_hash: Hash,
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    last_sequence: i64,
    last_hash: Vec<u8>,
}

impl TryFrom<HeadRow> for Head {
    type Error = Error;
    fn try_from(row: HeadRow) -> Result<Self, Error> {
        let last_hash = Hash::try_from(row.last_hash.as_slice())
            .map_err(|_| crate::error::corrupt("chain_head", "last_hash"))?;
        Ok(Head {
            last_sequence: row.last_sequence,
            last_hash,
        })
    }
}

const LOCK_HEAD: &str = "UPDATE chain_head SET last_sequence = last_sequence \
     WHERE chain_name = $1 RETURNING last_sequence, last_hash";
const SET_HEAD: &str =
    "UPDATE chain_head SET last_sequence = $1, last_hash = $2 WHERE chain_name = $3";
const READ_HEAD: &str = "SELECT last_sequence, last_hash FROM chain_head WHERE chain_name = $1";

/// Locks the chain's head row until the transaction ends and returns it.
pub async fn lock_head(tx: &mut Tx, chain: Chain) -> Result<Head, Error> {
    let row: HeadRow = on_tx!(tx, c => sqlx::query_as(LOCK_HEAD)
        .bind(chain.as_str())
        .fetch_one(&mut *c)
        .await)?;
    row.try_into()
}

/// Reads the chain's head without locking it.
pub async fn read_head(tx: &mut Tx, chain: Chain) -> Result<Head, Error> {
    let row: HeadRow = on_tx!(tx, c => sqlx::query_as(READ_HEAD)
        .bind(chain.as_str())
        .fetch_one(&mut *c)
        .await)?;
    row.try_into()
}

const READ_ANCHOR: &str = "SELECT anchor_sequence AS last_sequence, anchor_hash AS last_hash \
     FROM chain_head WHERE chain_name = $1";
const SET_ANCHOR: &str =
    "UPDATE chain_head SET anchor_sequence = $1, anchor_hash = $2 WHERE chain_name = $3";

/// Where the chain starts: the sequence and hash its first stored entry follows (0 and
/// [`GENESIS`] until a prefix of the chain is pruned).
pub async fn read_anchor(tx: &mut Tx, chain: Chain) -> Result<Head, Error> {
    let row: HeadRow = on_tx!(tx, c => sqlx::query_as(READ_ANCHOR)
        .bind(chain.as_str())
        .fetch_one(&mut *c)
        .await)?;
    row.try_into()
}

/// Moves the chain's anchor forward to `anchor` (an entry about to be pruned with all before
/// it). Call with the head locked ([`lock_head`]); only then may the entries up to the anchor
/// be deleted (the database refuses any other delete).
pub async fn set_anchor(tx: &mut Tx, chain: Chain, anchor: Head) -> Result<(), Error> {
    on_tx!(tx, c => sqlx::query(SET_ANCHOR)
        .bind(anchor.last_sequence)
        .bind(anchor.last_hash.as_slice())
        .bind(chain.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves the (locked) head to a new last entry.
pub async fn set_head(tx: &mut Tx, chain: Chain, head: Head) -> Result<(), Error> {
    on_tx!(tx, c => sqlx::query(SET_HEAD)
        .bind(head.last_sequence)
        .bind(head.last_hash.as_slice())
        .bind(chain.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The first place where a chain is broken, as found by a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// Which chain.
    pub chain: Chain,
    /// The sequence number of the first entry that does not check out.
    pub sequence: i64,
    /// What is wrong with it.
    pub problem: BreakKind,
}

/// What is wrong with a chain entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// The entry's content does not match its stored hash (it was changed).
    ContentChanged,
    /// The entry does not point at the previous entry's hash (one was removed or inserted).
    LinkBroken,
    /// Sequence numbers are not contiguous here (an entry is missing).
    Gap,
    /// The chain ends before or after the head says it does.
    HeadMismatch,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.problem {
            BreakKind::ContentChanged => "its content does not match its hash (changed)",
            BreakKind::LinkBroken => {
                "it does not link to the previous entry (an entry was removed or inserted)"
            }
            BreakKind::Gap => "the entry before it is missing (removed)",
            BreakKind::HeadMismatch => "the chain head does not match the last entry",
        };
        write!(
            f,
            "{} entry {} is broken: {what}",
            self.chain.as_str(),
            self.sequence
        )
    }
}

/// Checks entries in sequence order against the chain rules. Feed every entry to
/// [`Verifier::check`], then [`Verifier::finish`] with the head.
#[derive(Debug)]
pub struct Verifier {
    chain: Chain,
    expected_sequence: i64,
    prev_hash: Hash,
    first_break: Option<Break>,
}

impl Verifier {
    /// Starts verifying `chain` from its first entry.
    pub fn new(chain: Chain) -> Verifier {
        Verifier {
            chain,
            expected_sequence: 1,
            prev_hash: GENESIS,
            first_break: None,
        }
    }

    /// Starts verifying `chain` after its anchor (see [`read_anchor`]): the first stored entry
    /// must follow the anchor's sequence and link to its hash.
    pub fn from_anchor(chain: Chain, anchor: Head) -> Verifier {
        Verifier {
            chain,
            expected_sequence: anchor.last_sequence + 1,
            prev_hash: anchor.last_hash,
            first_break: None,
        }
    }

    /// Checks one entry: its sequence, its stored previous hash, its stored hash and the hash
    /// recomputed from its content.
    pub fn check(&mut self, sequence: i64, stored_prev: &[u8], stored: &[u8], computed: Hash) {
        if self.first_break.is_some() {
            return;
        }
        let problem = if sequence != self.expected_sequence {
            Some(BreakKind::Gap)
        } else if stored_prev != self.prev_hash {
            Some(BreakKind::LinkBroken)
        } else if stored != computed {
            Some(BreakKind::ContentChanged)
        } else {
            None
        };
        if let Some(problem) = problem {
            self.first_break = Some(Break {
                chain: self.chain,
                sequence,
                problem,
            });
            return;
        }
        self.expected_sequence = sequence + 1;
        self.prev_hash = computed;
    }

    /// The hash the next entry must link to.
    pub fn prev_hash(&self) -> Hash {
        self.prev_hash
    }

    /// Ends the check: the head must point at the last entry seen.
    pub fn finish(self, head: Head) -> Result<i64, Break> {
        if let Some(b) = self.first_break {
            return Err(b);
        }
        let last = self.expected_sequence - 1;
        if head.last_sequence != last || head.last_hash != self.prev_hash {
            return Err(Break {
                chain: self.chain,
                sequence: last.max(head.last_sequence),
                problem: BreakKind::HeadMismatch,
            });
        }
        Ok(last)
    }
}
