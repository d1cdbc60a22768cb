//! Credentials (SPEC §1, §9): Argon2id password hashes and API token
//! secrets, of which only a SHA-256 hash is stored.
//!
//! A token is 32 random bytes, so a fast hash is enough to store it: unlike a
//! password it cannot be guessed from a dictionary, and looking it up by its
//! hash needs no per-row salt.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::Error;

/// The prefix of every API token, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "accord_";

/// Hashes a password with Argon2id and a random salt, in PHC string format.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches a hash made by [`hash_password`]. A malformed
/// hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password is known for, made once with the same parameters as
/// real ones: verified in place of a missing account's, it costs the same.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_password()).unwrap_or_default())
}

/// A random password of 24 lower-case hexadecimal characters (96 bits), for
/// accounts created without one; shown once to whoever creates the account.
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// An API token's secret, shown to its owner once and never stored.
/// `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// A new random secret.
    pub(crate) fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        TokenSecret(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
    }

    /// Wraps a secret presented by a client, e.g. from a bearer header.
    pub fn new(secret: impl Into<String>) -> Self {
        TokenSecret(secret.into())
    }

    /// The secret, to show once or to send.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the secret: what the database keeps.
    pub(crate) fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// `n` random bytes in hexadecimal.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// SHA-256 of `bytes` in hexadecimal.
pub(crate) fn sha256_bytes_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of `text` in hexadecimal.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_wrong_ones_do_not() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse"));
        assert!(!verify_password(&h, "wrong horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn token_secrets_are_random_and_redacted() {
        let (a, b) = (TokenSecret::generate(), TokenSecret::generate());
        assert_ne!(a, b);
        assert!(a.expose().starts_with(TOKEN_PREFIX));
        assert_eq!(a.expose().len(), TOKEN_PREFIX.len() + 64);
        assert!(!format!("{a:?}").contains(a.expose()));
        assert_eq!(a.hash().len(), 32);
    }
}
