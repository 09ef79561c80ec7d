//! The server's secret key: 32 bytes that seal what the database must not hold in plain text
//! (marketplace credentials, see [`crate::collector::credentials`]).
//!
//! The key lives with the API server and never in the database, so a dump or backup of the
//! database (which on PostgreSQL may sit on another machine) shows no usable secret. It comes
//! from [`ENV_VAR`] (`JUMUN_SECRET_KEY`: 64 hex digits or 44 base64 characters) when set, else
//! from the file [`KEY_FILE`] (`secret.key`) in the data directory, which the first start
//! creates from the OS random number generator with mode 0600.
//!
//! Sealing is XChaCha20-Poly1305 with a fresh random 24-byte nonce per value (random nonces of
//! that size never realistically repeat) and caller-given associated data, which binds a sealed
//! value to its place: a value copied elsewhere fails to open like a wrong key does. A sealed
//! value is text, `enc:v1:<base64(nonce ‖ ciphertext ‖ tag)>`, so it fits the text columns both
//! engines already have.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The environment variable that gives the key (64 hex digits or 44 base64 characters).
pub const ENV_VAR: &str = "JUMUN_SECRET_KEY";

/// The key file's name in the data directory, used when [`ENV_VAR`] is not set.
pub const KEY_FILE: &str = "secret.key";

/// What a sealed value starts with; the version follows (`v1:`).
pub const SEALED_PREFIX: &str = "enc:";

/// The one format this server writes: XChaCha20-Poly1305, nonce first.
const V1_PREFIX: &str = "enc:v1:";

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// How to make a key, for messages.
const HOW_TO_MAKE_ONE: &str = "make one with `openssl rand -base64 32`";

/// The server's 32-byte key. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A key never reaches logs.
        f.write_str("SecretKey(…)")
    }
}

/// Why a text is not a key. Never includes the text: even a mistyped key is mostly secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    /// Neither 64 hex digits nor base64 of 32 bytes.
    #[error(
        "it is {0} characters long; a key is 32 bytes written as 64 hex digits or 44 base64 \
         characters ({HOW_TO_MAKE_ONE})"
    )]
    Length(usize),
    /// 44 characters that are not base64.
    #[error("it is not valid base64 ({HOW_TO_MAKE_ONE})")]
    Base64,
}

/// Why the key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    /// The file exists but cannot be read.
    #[error("cannot read the secret key file {path}: {source}; check its permissions")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file does not hold a key.
    #[error(
        "{path} does not hold a secret key: {reason}; restore it from a backup (or set \
         {ENV_VAR}). Do not just delete it: credentials stored with it could not be read again \
         and would have to be re-entered"
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: KeyFormatError,
    },
    /// A new key file could not be written.
    #[error(
        "cannot create the secret key file {path}: {source}; check that the data directory is \
         writable, or set {ENV_VAR}"
    )]
    Create {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The OS random number generator failed.
    #[error("cannot make a secret key: the OS random number generator failed: {0}")]
    Random(#[source] getrandom::Error),
}

/// Where the server's key came from (for the start-up log; never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The configuration ([`ENV_VAR`]).
    Configured,
    /// The key file, as it was.
    File(PathBuf),
    /// The key file, created by this start.
    Created(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Configured => write!(f, "{ENV_VAR}"),
            KeySource::File(path) => write!(f, "{}", path.display()),
            KeySource::Created(path) => write!(f, "{} (created now)", path.display()),
        }
    }
}

/// Why a value could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// No nonce: the OS random number generator failed.
    #[error("cannot seal a value: the OS random number generator failed: {0}")]
    Random(#[source] getrandom::Error),
    /// The cipher refused the value (only values of many gigabytes are).
    #[error("cannot seal a value of {0} bytes")]
    TooLarge(usize),
}

/// Why a sealed value cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Not a sealed value at all (no `enc:` prefix).
    #[error("the value is not sealed")]
    NotSealed,
    /// A format this server does not know (a newer server wrote it).
    #[error("sealed in format {0:?}, which this server does not know")]
    UnknownFormat(String),
    /// Not valid base64, or too short to hold a nonce and a tag.
    #[error("the sealed value is damaged")]
    Damaged,
    /// Authentication failed: another key, an altered value, or other associated data.
    #[error("the sealed value does not open with this key")]
    Refused,
}

impl SecretKey {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// A new key from the OS random number generator.
    pub fn generate() -> Result<Self, SecretKeyError> {
        let mut bytes = [0u8; KEY_LEN];
        getrandom::fill(&mut bytes).map_err(SecretKeyError::Random)?;
        Ok(Self(bytes))
    }

    /// Reads a key written as 64 hex digits or as base64 (standard alphabet, padded: 44
    /// characters). Surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, KeyFormatError> {
        let text = text.trim();
        if text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut bytes = [0u8; KEY_LEN];
            for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
                *byte = (hex_digit(pair[0]) << 4) | hex_digit(pair[1]);
            }
            return Ok(Self(bytes));
        }
        if text.len() != 44 {
            return Err(KeyFormatError::Length(text.chars().count()));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| KeyFormatError::Base64)?;
        let bytes: [u8; KEY_LEN] = decoded
            .try_into()
            .map_err(|_| KeyFormatError::Length(text.len()))?;
        Ok(Self(bytes))
    }

    /// The key as base64 (what the key file holds, and what [`ENV_VAR`] takes).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// The key in `data_dir`'s [`KEY_FILE`], created (mode 0600, from the OS random number
    /// generator) when there is none. The directory is created if missing.
    pub fn load_or_create(data_dir: &Path) -> Result<(Self, KeySource), SecretKeyError> {
        let path = data_dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                warn_if_readable_by_others(&path);
                let key = Self::parse(&text).map_err(|reason| SecretKeyError::Malformed {
                    path: path.clone(),
                    reason,
                })?;
                Ok((key, KeySource::File(path)))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => create_key_file(data_dir),
            Err(source) => Err(SecretKeyError::Read { path, source }),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// Seals `plaintext` bound to `aad` (which [`SecretKey::open`] must be given again):
    /// `enc:v1:<base64(nonce ‖ ciphertext ‖ tag)>` with a fresh random nonce.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(SealError::Random)?;
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| SealError::TooLarge(plaintext.len()))?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        Ok(format!(
            "{V1_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }

    /// Opens a value of [`SecretKey::seal`] made with this key and the same `aad`.
    pub fn open(&self, aad: &[u8], sealed: &str) -> Result<Vec<u8>, OpenError> {
        let Some(rest) = sealed.strip_prefix(SEALED_PREFIX) else {
            return Err(OpenError::NotSealed);
        };
        let Some(body) = sealed.strip_prefix(V1_PREFIX) else {
            let version = rest.split(':').next().unwrap_or_default();
            return Err(OpenError::UnknownFormat(version.chars().take(16).collect()));
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|_| OpenError::Damaged)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError::Damaged);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError::Damaged)?;
        self.cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad })
            .map_err(|_| OpenError::Refused)
    }
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// Writes a new key to `data_dir`/[`KEY_FILE`] without ever exposing a half-written file or
/// replacing one another process wrote meanwhile: the key goes to a private temporary file
/// first, which is then hard-linked into place (a link never overwrites).
fn create_key_file(data_dir: &Path) -> Result<(SecretKey, KeySource), SecretKeyError> {
    let path = data_dir.join(KEY_FILE);
    let create_error = |source| SecretKeyError::Create {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(create_error)?;
    let key = SecretKey::generate()?;
    let temp = data_dir.join(format!(".{KEY_FILE}.{}.tmp", std::process::id()));
    // A leftover of a start that crashed here: made anew, so its mode is ours.
    let _ = std::fs::remove_file(&temp);
    let written = write_private(&temp, &format!("{}\n", key.to_base64()))
        .and_then(|()| std::fs::hard_link(&temp, &path));
    let _ = std::fs::remove_file(&temp);
    match written {
        Ok(()) => {
            sync_dir(data_dir);
            Ok((key, KeySource::Created(path)))
        }
        // Another server start made one first: that one is the key.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            SecretKey::load_or_create(data_dir)
        }
        Err(source) => Err(create_error(source)),
    }
}

/// Creates `path` readable by its owner only, writes `text` and syncs it to disk.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Makes the new file's name durable too: a key lost in a crash would make every credential
/// sealed with it unreadable.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Warns when the key file can be read by other users (it was copied in without `chmod 600`).
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %path.display(),
                    mode = format!("{mode:o}"),
                    "the secret key file can be read by other users; chmod 600 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_from_hex_or_base64_and_bad_ones_are_explained_without_echoing_them() {
        let key = SecretKey::from_bytes([0xab; KEY_LEN]);
        assert_eq!(SecretKey::parse(&"ab".repeat(32)).unwrap(), key);
        assert_eq!(SecretKey::parse(&"AB".repeat(32)).unwrap(), key);
        assert_eq!(
            SecretKey::parse(&format!(" {}\n", key.to_base64())).unwrap(),
            key
        );
        let short = SecretKey::parse("hunter2").unwrap_err();
        assert_eq!(short, KeyFormatError::Length(7));
        assert!(short.to_string().contains("64 hex digits or 44 base64"));
        assert!(!short.to_string().contains("hunter2"));
        assert_eq!(
            SecretKey::parse(&"!".repeat(44)).unwrap_err(),
            KeyFormatError::Base64
        );
        // 64 characters that are not all hex: not a key (nor base64 of 32 bytes).
        assert!(SecretKey::parse(&"g".repeat(64)).is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(…)");
    }

    #[test]
    fn sealed_values_open_with_the_same_key_and_data_only() {
        let key = SecretKey::generate().unwrap();
        let sealed = key.seal(b"here", b"the secret").unwrap();
        assert!(sealed.starts_with("enc:v1:"), "{sealed}");
        assert!(!sealed.contains("the secret"));
        assert_eq!(key.open(b"here", &sealed).unwrap(), b"the secret");
        // A fresh nonce each time: the same secret never looks the same twice.
        assert_ne!(key.seal(b"here", b"the secret").unwrap(), sealed);

        assert_eq!(key.open(b"there", &sealed), Err(OpenError::Refused));
        let other = SecretKey::generate().unwrap();
        assert_eq!(other.open(b"here", &sealed), Err(OpenError::Refused));

        // One flipped bit anywhere (nonce, ciphertext, tag) is refused.
        let body = base64::engine::general_purpose::STANDARD
            .decode(&sealed[V1_PREFIX.len()..])
            .unwrap();
        for at in [0, NONCE_LEN, body.len() - 1] {
            let mut tampered = body.clone();
            tampered[at] ^= 1;
            let text = format!(
                "{V1_PREFIX}{}",
                base64::engine::general_purpose::STANDARD.encode(tampered)
            );
            assert_eq!(key.open(b"here", &text), Err(OpenError::Refused), "at {at}");
        }
        assert_eq!(key.open(b"here", "enc:v1:AAAA"), Err(OpenError::Damaged));
        assert_eq!(key.open(b"here", "enc:v1:***"), Err(OpenError::Damaged));
        assert_eq!(
            key.open(b"here", "enc:v9:whatever"),
            Err(OpenError::UnknownFormat("v9".into()))
        );
        assert_eq!(
            key.open(b"here", "{\"kind\":\"none\"}"),
            Err(OpenError::NotSealed)
        );
    }

    #[test]
    fn the_key_file_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let (key, source) = SecretKey::load_or_create(&data_dir).unwrap();
        let path = data_dir.join(KEY_FILE);
        assert_eq!(source, KeySource::Created(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, source) = SecretKey::load_or_create(&data_dir).unwrap();
        assert_eq!(again, key);
        assert_eq!(source, KeySource::File(path.clone()));
        let leftovers: Vec<_> = std::fs::read_dir(&data_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from(KEY_FILE)]);

        std::fs::write(&path, "not a key\n").unwrap();
        let err = SecretKey::load_or_create(&data_dir).unwrap_err();
        assert!(matches!(err, SecretKeyError::Malformed { .. }), "{err}");
        assert!(
            err.to_string().contains("restore it from a backup"),
            "{err}"
        );
        assert!(!err.to_string().contains("not a key"), "{err}");
    }
}
