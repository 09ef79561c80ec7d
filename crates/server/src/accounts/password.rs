//! Password hashing: Argon2id with the crate's default cost (19 MiB, 2 passes, 1 lane — the
//! OWASP minimum), stored as a PHC string that carries its own salt and parameters, so a later
//! cost change still verifies old hashes.

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier};
use argon2::Argon2;
use std::sync::OnceLock;

/// Hashing or checking a password failed for a reason other than a wrong password.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    /// Argon2 could not hash (out of memory, or the OS random generator failed for the salt).
    #[error("cannot hash the password: {0}; check the server's memory and the OS random source")]
    Hash(argon2::password_hash::Error),
    /// The stored hash is not an Argon2 PHC string this build understands.
    #[error(
        "a stored password hash is unreadable ({0}); set that user's password again \
         (the database may have been edited by hand)"
    )]
    StoredHashInvalid(argon2::password_hash::Error),
}

/// Hashes `password` with a fresh random salt into a PHC string (`$argon2id$v=19$…`).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(PasswordError::Hash)
}

/// Whether `password` matches the PHC string `stored`. A wrong password is `Ok(false)`; an
/// unreadable hash is an error, so it is not mistaken for a wrong password.
pub fn verify(password: &str, stored: &str) -> Result<bool, PasswordError> {
    match PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), stored)
    {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(err) => Err(PasswordError::StoredHashInvalid(err)),
    }
}

/// Does the work of one verification against a hash nobody's password matches, so that an
/// unknown store or login takes as long to refuse as a wrong password (no user enumeration by
/// timing).
pub fn verify_nobody(password: &str) {
    static NOBODY: OnceLock<Option<String>> = OnceLock::new();
    let nobody =
        NOBODY.get_or_init(|| hash("nobody has this password, it is only for timing").ok());
    if let Some(stored) = nobody {
        // The answer is always "no"; only the time spent matters.
        let _ = verify(password, stored);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("demo1234").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(!stored.contains("demo1234"));
        assert_eq!(verify("demo1234", &stored), Ok(true));
        assert_eq!(verify("demo12345", &stored), Ok(false));
        assert_eq!(verify("", &stored), Ok(false));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(hash("same").unwrap(), hash("same").unwrap());
    }

    #[test]
    fn an_unreadable_stored_hash_is_an_error_not_a_mismatch() {
        assert!(matches!(
            verify("x", "not a phc string"),
            Err(PasswordError::StoredHashInvalid(_))
        ));
        assert!(verify("x", "$argon2id$v=19$m=19456,t=2,p=1$bad").is_err());
    }
}
