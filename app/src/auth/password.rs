//! Admin passwords are stored as argon2 PHC strings (`patrol hash-password`).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes `password` with argon2id and a random salt, as a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| format!("no randomness for the salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks that `phc` is a PHC string argon2 can verify against.
pub fn check_phc(phc: &str) -> Result<(), String> {
    PasswordHash::new(phc).map(|_| ()).map_err(|e| {
        format!("not an argon2 PHC string ({e}); make one with `patrol hash-password`")
    })
}

/// Whether `password` matches `phc` (argon2 compares in constant time).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let phc = hash("correct horse").expect("hash");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(check_phc(&phc).is_ok());
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        assert!(!verify("correct horse", "not-a-hash"));
        assert!(check_phc("plain-text").is_err());
    }
}
