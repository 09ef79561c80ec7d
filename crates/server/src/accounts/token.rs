//! Session tokens: 32 random bytes from the operating system, shown to the client once as 64
//! lower-case hex digits. The database keeps only the SHA-256 of the token, so a copy of the
//! database does not let anyone sign in.

use sha2::{Digest, Sha256};
use std::fmt;

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;

/// A bearer token, the secret a client presents. Its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

/// The SHA-256 of a token in hex: what the database stores and looks sessions up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl SessionToken {
    /// A new token from the operating system's random generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(hex(&bytes)))
    }

    /// Reads a token a client sent; `None` unless it has the shape of one (64 hex digits), so
    /// garbage never reaches the database.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == TOKEN_BYTES * 2
            && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        well_formed.then(|| Self(text.to_owned()))
    }

    /// The token as sent to the client.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores for this token.
    pub fn hash(&self) -> TokenHash {
        TokenHash(hex(&Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

impl TokenHash {
    /// The hash as stored, 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_eq!(a.as_str().len(), 64);
        assert_ne!(a, b);
        assert_eq!(SessionToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(format!("{a:?}"), "SessionToken(…)");
    }

    #[test]
    fn the_hash_is_sha256_of_the_token_and_not_the_token() {
        let token = SessionToken::parse(&"ab".repeat(32)).unwrap();
        let hash = token.hash();
        assert_eq!(hash.as_str().len(), 64);
        assert_ne!(hash.as_str(), token.as_str());
        // `printf 'ab%.0s' $(seq 32) | sha256sum`
        assert_eq!(
            hash.as_str(),
            "271a413bd339c5709fdceaec41f14f11e9fbfb5042d72d331c65f32b284cd09a"
        );
    }

    #[test]
    fn garbage_is_not_a_token() {
        for text in [
            "",
            "abc",
            &"g".repeat(64),
            &"AB".repeat(32),
            &"a".repeat(65),
        ] {
            assert_eq!(SessionToken::parse(text), None, "{text}");
        }
    }
}
