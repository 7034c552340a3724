//! Trainers' secrets. Passwords are hashed with Argon2id (the argon2 crate's default
//! parameters and a random salt, kept as a PHC string), which makes each guess cost memory
//! and time. API tokens are 32 random bytes, shown once and kept as SHA-256 digests: a
//! random token cannot be guessed back from a fast digest, and the lookup stays one query.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The shortest password `kubeclass trainer add` takes.
pub const MIN_PASSWORD: usize = 12;

/// What every API token starts with, so that a leaked one is recognisable in logs and by
/// secret scanners.
pub const TOKEN_PREFIX: &str = "kct_";

/// Checked against when the trainer does not exist, so that a wrong name costs as much
/// time as a wrong password and does not tell which names exist.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$a3ViZWNsYXNzZGVjb3k$Yp4rZb3zDRe/0Xa0Gq2sC6n0pV9bkxkNDF2xvH2b0Ms";

/// The PHC string of `password`'s hash, or why the password is refused.
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!(
            "a trainer's password has at least {MIN_PASSWORD} characters"
        ));
    }
    let salt: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches `hash` (a PHC string); with no hash (no such trainer) a
/// decoy is checked and the answer is no.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let stored = hash.unwrap_or(DECOY);
    let matches = PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    matches && hash.is_some()
}

/// A new API token: the prefix and 32 random bytes, base64url.
pub fn new_token() -> String {
    new_secret(TOKEN_PREFIX)
}

/// A new bearer secret (a trainer's API token, an embed's session token or websocket
/// ticket): `prefix`, which says what it is for, and 32 random bytes, base64url.
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The digest a token is kept and looked up as (hex).
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_its_hash_and_nothing_else() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterY", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert_ne!(
            hash,
            hash_password("correct horse battery").expect("again"),
            "salted"
        );
    }

    #[test]
    fn short_passwords_are_refused() {
        let refused = hash_password("short").expect_err("too short");
        assert!(refused.contains("at least 12 characters"), "{refused}");
    }

    #[test]
    fn the_decoy_is_a_valid_hash() {
        assert!(PasswordHash::new(DECOY).is_ok());
    }

    #[test]
    fn tokens_are_random_and_kept_as_digests() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(
            a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 43,
            "{a}"
        );
        assert_eq!(digest(&a), digest(&a));
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
    }
}
