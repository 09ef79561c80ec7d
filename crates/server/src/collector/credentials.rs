//! Marketplace credentials as the API takes them and the database keeps them.
//!
//! [`crate::marketplaces::Credentials`] is the adapters' type and deliberately not serialisable
//! (secrets never reach logs); this is its stored twin. The API never returns them: it shows
//! only their [`kind`](StoredCredentials::kind).
//!
//! **At rest they are encrypted.** The column `connections.credentials_json` holds
//! [`SealedCredentials`]: the credentials' JSON sealed with the server's
//! [`SecretKey`](crate::secret_key::SecretKey) (XChaCha20-Poly1305, `enc:v1:…`), bound to the
//! connection's store, marketplace and base URL as associated data — fixed for a connection and
//! unique per store (the table's unique key), and known before the row's id is — so a sealed
//! value pasted onto another connection does not open. A changed base URL re-seals them.
//!
//! Rows written before encryption hold the plain JSON; they are still read, and the server seals
//! them in place when it starts ([`crate::collector::Collector::seal_plain_credentials`]). A
//! value that does not open (the server has another key, or the value was altered) is a
//! [`CredentialsError`] for that connection alone: its runs fail saying so, and the connection
//! list shows it, until the key is restored or the credentials are entered again.

use crate::accounts::StoreId;
use crate::marketplaces::Credentials;
use crate::secret_key::{OpenError, SealError, SecretKey, ENV_VAR, KEY_FILE, SEALED_PREFIX};

/// Credentials as the API takes them and the database keeps them (sealed): the protocol's
/// type, so the browser and the server agree on its JSON.
pub use jumun_protocol::connections::StoredCredentials;

impl From<StoredCredentials> for Credentials {
    fn from(stored: StoredCredentials) -> Self {
        match stored {
            StoredCredentials::None => Credentials::None,
            StoredCredentials::Bearer { access_token } => Credentials::Bearer { access_token },
            StoredCredentials::NaverClient {
                client_id,
                client_secret,
            } => Credentials::NaverClient {
                client_id,
                client_secret,
            },
            StoredCredentials::CoupangHmac {
                access_key,
                secret_key,
                vendor_id,
            } => Credentials::CoupangHmac {
                access_key,
                secret_key,
                vendor_id,
            },
            StoredCredentials::ApiKey { key } => Credentials::ApiKey(key),
        }
    }
}

impl From<Credentials> for StoredCredentials {
    fn from(credentials: Credentials) -> Self {
        match credentials {
            Credentials::None => Self::None,
            Credentials::Bearer { access_token } => Self::Bearer { access_token },
            Credentials::NaverClient {
                client_id,
                client_secret,
            } => Self::NaverClient {
                client_id,
                client_secret,
            },
            Credentials::CoupangHmac {
                access_key,
                secret_key,
                vendor_id,
            } => Self::CoupangHmac {
                access_key,
                secret_key,
                vendor_id,
            },
            Credentials::ApiKey(key) => Self::ApiKey { key },
        }
    }
}

/// Why a connection's stored credentials cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// The sealed value does not open: another key, or a value altered or copied from another
    /// connection (the cipher cannot tell these apart).
    #[error(
        "credentials cannot be decrypted: the server's secret key is not the one they were \
         stored with; restore {ENV_VAR} or {KEY_FILE} in the data directory as it was, or \
         re-enter the credentials (PATCH the connection with new \"credentials\")"
    )]
    WrongKey,
    /// Not valid base64 or too short.
    #[error(
        "credentials cannot be decrypted: the stored value is damaged; re-enter the credentials \
         (PATCH the connection with new \"credentials\")"
    )]
    Damaged,
    /// Sealed in a format this server does not know.
    #[error(
        "credentials are sealed in format {0:?}, which this server does not know (a newer \
         server wrote them); run that version, or re-enter the credentials"
    )]
    UnknownFormat(String),
    /// The plain text is not credentials JSON.
    #[error(
        "the stored credentials are not credentials JSON ({0}); re-enter the credentials \
         (PATCH the connection with new \"credentials\")"
    )]
    NotCredentials(String),
    /// Sealing failed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// Where a JSON text went wrong, without serde's message: that may quote a value, and a value
/// here may be a secret.
fn json_problem(err: &serde_json::Error) -> String {
    let what = match err.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "not one of the credential kinds",
        serde_json::error::Category::Eof => "cut short",
    };
    format!("{what} at line {} column {}", err.line(), err.column())
}

/// What binds sealed credentials to their connection: its store, marketplace and base URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding<'a> {
    pub store: StoreId,
    pub marketplace: &'a str,
    pub base_url: &'a str,
}

impl Binding<'_> {
    /// The associated data: a purpose label, then each part with its length, so no two
    /// bindings give the same bytes.
    fn aad(&self) -> Vec<u8> {
        format!(
            "jumun.connection.credentials.v1\n{}\n{}:{}\n{}:{}",
            self.store.0,
            self.marketplace.len(),
            self.marketplace,
            self.base_url.len(),
            self.base_url
        )
        .into_bytes()
    }
}

/// Credentials as a connection row holds them: sealed (`enc:v1:…`), or plain JSON in a row
/// written before encryption. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SealedCredentials(String);

impl std::fmt::Debug for SealedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A plain legacy value is a secret as it stands.
        f.write_str("SealedCredentials(…)")
    }
}

impl SealedCredentials {
    /// The column's text as read.
    pub(crate) fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The text to store.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the value is sealed (rather than plain JSON from before encryption).
    pub(crate) fn is_sealed(&self) -> bool {
        self.0.starts_with(SEALED_PREFIX)
    }

    /// Seals `credentials` for the connection `binding` names.
    pub(crate) fn seal(
        key: &SecretKey,
        binding: Binding<'_>,
        credentials: &StoredCredentials,
    ) -> Result<Self, CredentialsError> {
        let json = serde_json::to_vec(credentials)
            .map_err(|e| CredentialsError::NotCredentials(json_problem(&e)))?;
        Ok(Self(key.seal(&binding.aad(), &json)?))
    }

    /// The credentials, opened with `key` for the connection `binding` names (plain JSON is
    /// read as it is).
    pub(crate) fn open(
        &self,
        key: &SecretKey,
        binding: Binding<'_>,
    ) -> Result<StoredCredentials, CredentialsError> {
        let plain = match key.open(&binding.aad(), &self.0) {
            Ok(plain) => plain,
            Err(OpenError::NotSealed) => self.0.clone().into_bytes(),
            Err(OpenError::Refused) => return Err(CredentialsError::WrongKey),
            Err(OpenError::Damaged) => return Err(CredentialsError::Damaged),
            Err(OpenError::UnknownFormat(version)) => {
                return Err(CredentialsError::UnknownFormat(version))
            }
        };
        serde_json::from_slice(&plain)
            .map_err(|e| CredentialsError::NotCredentials(json_problem(&e)))
    }

    /// A plain value sealed as it stands (even one that is not valid JSON: whatever it holds
    /// must not stay readable); `None` when it is sealed already.
    pub(crate) fn sealed_from_plain(
        &self,
        key: &SecretKey,
        binding: Binding<'_>,
    ) -> Result<Option<Self>, CredentialsError> {
        if self.is_sealed() {
            return Ok(None);
        }
        Ok(Some(Self(key.seal(&binding.aad(), self.0.as_bytes())?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(base_url: &str) -> Binding<'_> {
        Binding {
            store: StoreId(7),
            marketplace: "coupang",
            base_url,
        }
    }

    fn coupang() -> StoredCredentials {
        StoredCredentials::CoupangHmac {
            access_key: "ak-visible-in-plain".into(),
            secret_key: "sk-very-secret".into(),
            vendor_id: "A00012345".into(),
        }
    }

    #[test]
    fn sealed_credentials_round_trip_and_show_no_secret() {
        let key = SecretKey::generate().unwrap();
        let url = "https://api-gateway.coupang.com";
        let sealed = SealedCredentials::seal(&key, binding(url), &coupang()).unwrap();
        assert!(sealed.is_sealed());
        assert!(
            sealed.as_str().starts_with("enc:v1:"),
            "{}",
            sealed.as_str()
        );
        assert!(!sealed.as_str().contains("sk-very-secret"));
        assert!(!sealed.as_str().contains("coupang_hmac"));
        assert_eq!(sealed.open(&key, binding(url)).unwrap(), coupang());
        assert_eq!(format!("{sealed:?}"), "SealedCredentials(…)");
        assert_eq!(sealed.sealed_from_plain(&key, binding(url)).unwrap(), None);
    }

    #[test]
    fn tampered_moved_or_foreign_key_credentials_are_refused_with_the_clear_error() {
        let key = SecretKey::generate().unwrap();
        let url = "https://api-gateway.coupang.com";
        let sealed = SealedCredentials::seal(&key, binding(url), &coupang()).unwrap();

        let other_key = SecretKey::generate().unwrap();
        let err = sealed.open(&other_key, binding(url)).unwrap_err();
        assert_eq!(err, CredentialsError::WrongKey);
        let message = err.to_string();
        assert!(
            message.starts_with("credentials cannot be decrypted: the server's secret key is not the one they were stored with"),
            "{message}"
        );
        assert!(message.contains("JUMUN_SECRET_KEY") && message.contains("secret.key"));
        assert!(message.contains("re-enter the credentials"));

        // Pasted onto another connection (another URL, marketplace or store): refused alike.
        assert_eq!(
            sealed.open(&key, binding("https://elsewhere.example.com")),
            Err(CredentialsError::WrongKey)
        );
        let other_store = Binding {
            store: StoreId(8),
            ..binding(url)
        };
        assert_eq!(
            sealed.open(&key, other_store),
            Err(CredentialsError::WrongKey)
        );

        // One character changed in the ciphertext.
        let text = sealed.as_str();
        let at = text.len() - 10;
        let flipped = if &text[at..=at] == "A" { "B" } else { "A" };
        let tampered =
            SealedCredentials::from_stored(format!("{}{flipped}{}", &text[..at], &text[at + 1..]));
        assert_eq!(
            tampered.open(&key, binding(url)),
            Err(CredentialsError::WrongKey)
        );
        assert_eq!(
            SealedCredentials::from_stored("enc:v1:%%%".into()).open(&key, binding(url)),
            Err(CredentialsError::Damaged)
        );
        assert!(matches!(
            SealedCredentials::from_stored("enc:v2:xyz".into()).open(&key, binding(url)),
            Err(CredentialsError::UnknownFormat(v)) if v == "v2"
        ));
    }

    #[test]
    fn a_plain_legacy_value_is_read_and_sealed_as_it_stands() {
        let key = SecretKey::generate().unwrap();
        let url = "https://api-gateway.coupang.com";
        let json = serde_json::to_string(&coupang()).unwrap();
        let legacy = SealedCredentials::from_stored(json.clone());
        assert!(!legacy.is_sealed());
        assert_eq!(legacy.open(&key, binding(url)).unwrap(), coupang());
        assert!(!format!("{legacy:?}").contains("secret"));

        let upgraded = legacy
            .sealed_from_plain(&key, binding(url))
            .unwrap()
            .expect("a plain value is sealed");
        assert!(upgraded.is_sealed());
        assert!(!upgraded.as_str().contains("sk-very-secret"));
        assert_eq!(upgraded.open(&key, binding(url)).unwrap(), coupang());

        // Not JSON at all: sealed all the same, and reported when read.
        let junk = SealedCredentials::from_stored("password=hunter2".into());
        let sealed = junk.sealed_from_plain(&key, binding(url)).unwrap().unwrap();
        assert!(!sealed.as_str().contains("hunter2"));
        let err = sealed.open(&key, binding(url)).unwrap_err();
        assert!(matches!(err, CredentialsError::NotCredentials(_)), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let odd = SealedCredentials::from_stored(r#"{"kind": "hunter2"}"#.into());
        let err = odd.open(&key, binding(url)).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn stored_and_adapter_credentials_convert_both_ways() {
        let all = [
            StoredCredentials::None,
            StoredCredentials::Bearer {
                access_token: "t".into(),
            },
            StoredCredentials::NaverClient {
                client_id: "id".into(),
                client_secret: "secret".into(),
            },
            coupang(),
            StoredCredentials::ApiKey { key: "k".into() },
        ];
        for stored in all {
            let adapter: Credentials = stored.clone().into();
            assert_eq!(StoredCredentials::from(adapter), stored);
        }
    }
}
