//! Field encryption of the BSN and its blind index.
//!
//! - Encryption: AES-256-GCM with a random 96-bit nonce; the stored value is
//!   `key version (1 byte) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`, with the row's id as associated
//!   data, so a ciphertext copied to another row does not decrypt.
//! - Blind index: HMAC-SHA256 of the normalised BSN under a separate key, for lookups and the
//!   uniqueness rule without ever storing or comparing the plain value.
//!
//! Keys come from `IXORG_DATA_KEY`: 64 hex characters (one 32-byte master key, version 1), or a
//! comma-separated list `1:HEX,2:HEX` where the highest version encrypts and all decrypt (key
//! rotation). The encryption keys are derived from the master keys with HMAC-SHA256 and a label.
//!
//! # The blind-index key and key rotation
//!
//! Every stored blind index must stay computable, or BSN lookups (duplicate applications,
//! declarations that name a BSN, `find_by_bsn`) silently stop finding people. The index key is
//! therefore *not* tied to the encryption key versions:
//!
//! - By default it is derived from the master key of the **lowest** configured version (the
//!   behaviour of every installation so far), so adding a version changes nothing.
//! - `index:HEX` in the list pins it: HEX is the blind-index key itself (32 bytes), not a master
//!   key. `ixorg keys index-key` prints the entry for the key in use. A pinned index key is a
//!   one-way derivative of the old master, so the old master itself can be destroyed.
//!
//! Rotation (`ixorg keys rotate`, see `docs/OPERATIONS.md`): add version N+1, pin the index key,
//! rotate (every ciphertext re-encrypted under N+1, in short chunks, the server keeps serving),
//! then remove the old versions. The rotation refuses to run while the index key is not pinned,
//! because removing the lowest version afterwards would change the index key and break lookups.
//! A rotation also rewrites any blind index that differs from the configured index key.
use std::collections::BTreeMap;
use std::fmt;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, KeyInit, Mac};
use ixorg_domain::identifiers::Bsn;
use sha2::Sha256;
use uuid::Uuid;

const NONCE_BYTES: usize = 12;
const KEY_BYTES: usize = 32;
const LABEL_ENCRYPTION: &[u8] = b"ixorg/bsn-encryption/v1";
const LABEL_BLIND_INDEX: &[u8] = b"ixorg/bsn-blind-index/v1";

/// What can go wrong with keys and ciphertexts. Never contains key material or plain values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// No key is configured.
    #[error("no data key is configured: set IXORG_DATA_KEY (64 hex characters)")]
    NoKey,
    /// The key setting is malformed.
    #[error("IXORG_DATA_KEY is malformed: {0}")]
    BadKey(&'static str),
    /// A ciphertext names a key version that is not configured.
    #[error("the data key of version {0} is not configured")]
    UnknownKeyVersion(u8),
    /// A ciphertext does not decrypt (wrong key, wrong row, or tampered).
    #[error("a stored value does not decrypt (wrong key, wrong row or tampered)")]
    Decrypt,
    /// The system's random source failed.
    #[error("the system random source failed")]
    Random,
}

/// The configured keys.
pub struct Crypto {
    encryption: BTreeMap<u8, Aes256Gcm>,
    current: u8,
    blind_index_key: [u8; KEY_BYTES],
    index_pinned: bool,
}

impl fmt::Debug for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypto")
            .field("versions", &self.encryption.keys().collect::<Vec<_>>())
            .field("current", &self.current)
            .field("index_pinned", &self.index_pinned)
            .finish_non_exhaustive()
    }
}

fn derive(master: &[u8; KEY_BYTES], label: &[u8]) -> [u8; KEY_BYTES] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(master)
        .expect("BUG: HMAC accepts a key of any length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn parse_master(text: &str) -> Result<[u8; KEY_BYTES], CryptoError> {
    let bytes = hex::decode(text.trim()).map_err(|_| CryptoError::BadKey("not hexadecimal"))?;
    <[u8; KEY_BYTES]>::try_from(bytes.as_slice())
        .map_err(|_| CryptoError::BadKey("a key must be 32 bytes (64 hex characters)"))
}

impl Crypto {
    /// Parses the `IXORG_DATA_KEY` setting (see the module documentation).
    pub fn from_setting(setting: &str) -> Result<Crypto, CryptoError> {
        let mut masters = BTreeMap::new();
        let mut pinned_index = None;
        let setting = setting.trim();
        if setting.is_empty() {
            return Err(CryptoError::NoKey);
        }
        if setting.contains(':') {
            for part in setting.split(',') {
                let (version, key) = part
                    .split_once(':')
                    .ok_or(CryptoError::BadKey("use VERSION:HEX,VERSION:HEX"))?;
                if version.trim() == "index" {
                    if pinned_index.replace(parse_master(key)?).is_some() {
                        return Err(CryptoError::BadKey("one index key at most"));
                    }
                    continue;
                }
                let version: u8 = version
                    .trim()
                    .parse()
                    .map_err(|_| CryptoError::BadKey("a key version is a number 1-255"))?;
                if version == 0 || masters.insert(version, parse_master(key)?).is_some() {
                    return Err(CryptoError::BadKey("key versions are 1-255 and unique"));
                }
            }
        } else {
            masters.insert(1, parse_master(setting)?);
        }
        let (&current, _) = masters
            .last_key_value()
            .ok_or(CryptoError::BadKey("no key"))?;
        let (_, lowest) = masters
            .first_key_value()
            .ok_or(CryptoError::BadKey("no key"))?;
        let index_pinned = pinned_index.is_some();
        let blind_index_key = pinned_index.unwrap_or_else(|| derive(lowest, LABEL_BLIND_INDEX));
        let encryption = masters
            .iter()
            .map(|(v, m)| {
                let key = derive(m, LABEL_ENCRYPTION);
                let cipher =
                    Aes256Gcm::new_from_slice(&key).expect("BUG: AES-256 takes a 32-byte key");
                (*v, cipher)
            })
            .collect();
        Ok(Crypto {
            encryption,
            current,
            blind_index_key,
            index_pinned,
        })
    }

    /// True when the blind-index key is pinned with `index:HEX` (and so survives the removal of
    /// any key version).
    pub fn index_key_pinned(&self) -> bool {
        self.index_pinned
    }

    /// The `index:HEX` entry that pins the blind-index key in use. This is key material: only
    /// `ixorg keys index-key` shows it, for the operator's secret store.
    pub fn index_key_setting(&self) -> String {
        format!("index:{}", hex::encode(self.blind_index_key))
    }

    /// The configured key versions, lowest first.
    pub fn versions(&self) -> Vec<u8> {
        self.encryption.keys().copied().collect()
    }

    /// A new random master key as 64 hex characters (for `demo` and first set-up).
    pub fn generate_key_hex() -> Result<String, CryptoError> {
        let mut key = [0u8; KEY_BYTES];
        getrandom::fill(&mut key).map_err(|_| CryptoError::Random)?;
        Ok(hex::encode(key))
    }

    /// The key version new ciphertexts are made with.
    pub fn current_version(&self) -> u8 {
        self.current
    }

    /// Encrypts a BSN for the row `row_id`.
    pub fn encrypt_bsn(&self, row_id: Uuid, bsn: &Bsn) -> Result<Vec<u8>, CryptoError> {
        let cipher = self
            .encryption
            .get(&self.current)
            .expect("BUG: the current key version is configured");
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let payload = Payload {
            msg: bsn.expose().as_bytes(),
            aad: row_id.as_bytes(),
        };
        let ct = cipher
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| CryptoError::Decrypt)?;
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + ct.len());
        out.push(self.current);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts a stored BSN of the row `row_id`.
    pub fn decrypt_bsn(&self, row_id: Uuid, stored: &[u8]) -> Result<Bsn, CryptoError> {
        let (&version, rest) = stored.split_first().ok_or(CryptoError::Decrypt)?;
        if rest.len() < NONCE_BYTES {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = rest.split_at(NONCE_BYTES);
        let cipher = self
            .encryption
            .get(&version)
            .ok_or(CryptoError::UnknownKeyVersion(version))?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| CryptoError::Decrypt)?;
        let payload = Payload {
            msg: ct,
            aad: row_id.as_bytes(),
        };
        let plain = cipher
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| CryptoError::Decrypt)?;
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::Decrypt)?;
        text.parse().map_err(|_| CryptoError::Decrypt)
    }

    /// The key version a stored ciphertext was made with.
    pub fn version_of(stored: &[u8]) -> Option<u8> {
        stored.first().copied()
    }

    /// The blind index of a BSN.
    pub fn blind_index(&self, bsn: &Bsn) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.blind_index_key)
            .expect("BUG: HMAC accepts a key of any length");
        mac.update(bsn.expose().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const KEY2: &str = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn bsn() -> Bsn {
        "111222333".parse().expect("a valid test BSN")
    }

    #[test]
    fn a_bsn_encrypted_for_a_row_decrypts_for_that_row_only() {
        let crypto = Crypto::from_setting(KEY).expect("valid key");
        let row = Uuid::from_u128(1);
        let ct = crypto.encrypt_bsn(row, &bsn()).expect("encrypts");
        assert_eq!(ct.len(), 1 + 12 + 9 + 16);
        assert_eq!(ct[0], 1);
        assert_eq!(crypto.decrypt_bsn(row, &ct), Ok(bsn()));
        assert_eq!(
            crypto.decrypt_bsn(Uuid::from_u128(2), &ct),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn the_ciphertext_does_not_contain_the_bsn_and_differs_each_time() {
        let crypto = Crypto::from_setting(KEY).expect("valid key");
        let a = crypto.encrypt_bsn(Uuid::from_u128(1), &bsn()).expect("a");
        let b = crypto.encrypt_bsn(Uuid::from_u128(1), &bsn()).expect("b");
        assert_ne!(a, b);
        assert!(!a.windows(9).any(|w| w == b"111222333"));
    }

    #[test]
    fn a_tampered_ciphertext_is_refused() {
        let crypto = Crypto::from_setting(KEY).expect("valid key");
        let mut ct = crypto.encrypt_bsn(Uuid::from_u128(1), &bsn()).expect("ct");
        let last = ct.len() - 1;
        ct[last] ^= 1;
        assert_eq!(
            crypto.decrypt_bsn(Uuid::from_u128(1), &ct),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn after_rotation_old_ciphertexts_still_decrypt_and_the_blind_index_is_stable() {
        let old = Crypto::from_setting(KEY).expect("old key");
        let rotated = Crypto::from_setting(&format!("1:{KEY},2:{KEY2}")).expect("two keys");
        let ct = old.encrypt_bsn(Uuid::from_u128(1), &bsn()).expect("ct");
        assert_eq!(rotated.decrypt_bsn(Uuid::from_u128(1), &ct), Ok(bsn()));
        assert_eq!(rotated.current_version(), 2);
        assert_eq!(old.blind_index(&bsn()), rotated.blind_index(&bsn()));
        let new_ct = rotated
            .encrypt_bsn(Uuid::from_u128(1), &bsn())
            .expect("new ct");
        assert_eq!(Crypto::version_of(&new_ct), Some(2));
    }

    #[test]
    fn a_pinned_index_key_keeps_the_blind_index_when_the_old_version_is_removed() {
        let old = Crypto::from_setting(KEY).expect("old key");
        assert!(!old.index_key_pinned());
        let pin = old.index_key_setting();
        let rotated = Crypto::from_setting(&format!("{pin},1:{KEY},2:{KEY2}")).expect("pinned");
        let only_new = Crypto::from_setting(&format!("{pin},2:{KEY2}")).expect("old removed");
        let unpinned = Crypto::from_setting(&format!("2:{KEY2}")).expect("unpinned");
        assert!(only_new.index_key_pinned());
        assert_eq!(rotated.blind_index(&bsn()), old.blind_index(&bsn()));
        assert_eq!(only_new.blind_index(&bsn()), old.blind_index(&bsn()));
        assert_ne!(unpinned.blind_index(&bsn()), old.blind_index(&bsn()));
        assert_eq!(only_new.versions(), vec![2]);
    }

    #[test]
    fn malformed_key_settings_are_refused_without_echoing_them() {
        for bad in ["", "abc", "zz", "1:abc", "0:00", &KEY[..62]] {
            let err = Crypto::from_setting(bad).expect_err("malformed");
            assert!(!err.to_string().contains("abc"));
        }
    }
}
