//! Marketplace credentials as the API takes them and the database keeps them.
//!
//! [`crate::marketplaces::Credentials`] is the adapters' type and deliberately not serialisable
//! (secrets never reach logs); this is its stored twin. Credentials are kept as JSON in the
//! database in plain text, like the rest of the data directory — encrypting them at rest is a
//! planned follow-up. The API never returns them: it shows only their [`kind`](StoredCredentials::kind).

use crate::marketplaces::Credentials;
use serde::{Deserialize, Serialize};

/// Credentials as JSON: `{"kind": "none"}`, `{"kind": "bearer", "access_token": …}`,
/// `{"kind": "naver_client", "client_id": …, "client_secret": …}`,
/// `{"kind": "coupang_hmac", "access_key": …, "secret_key": …, "vendor_id": …}`,
/// `{"kind": "api_key", "key": …}`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoredCredentials {
    /// None (a sandbox or an open feed).
    None,
    /// An OAuth access token (Cafe24).
    Bearer {
        /// The token.
        access_token: String,
    },
    /// A Naver Commerce API application.
    NaverClient {
        /// 애플리케이션 ID.
        client_id: String,
        /// 애플리케이션 시크릿.
        client_secret: String,
    },
    /// Coupang Open API keys.
    CoupangHmac {
        /// Access key.
        access_key: String,
        /// Secret key.
        secret_key: String,
        /// 업체 ID.
        vendor_id: String,
    },
    /// A generic feed's API key.
    ApiKey {
        /// The key.
        key: String,
    },
}

impl std::fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        write!(f, "StoredCredentials::{}(…)", self.kind())
    }
}

impl StoredCredentials {
    /// The kind's name as in JSON (`bearer`, `api_key`, …), the only part the API shows.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bearer { .. } => "bearer",
            Self::NaverClient { .. } => "naver_client",
            Self::CoupangHmac { .. } => "coupang_hmac",
            Self::ApiKey { .. } => "api_key",
        }
    }

    /// The first empty secret field, if any (for validation messages).
    pub fn empty_field(&self) -> Option<&'static str> {
        let fields: Vec<(&'static str, &str)> = match self {
            Self::None => Vec::new(),
            Self::Bearer { access_token } => vec![("access_token", access_token)],
            Self::NaverClient {
                client_id,
                client_secret,
            } => vec![("client_id", client_id), ("client_secret", client_secret)],
            Self::CoupangHmac {
                access_key,
                secret_key,
                vendor_id,
            } => vec![
                ("access_key", access_key),
                ("secret_key", secret_key),
                ("vendor_id", vendor_id),
            ],
            Self::ApiKey { key } => vec![("key", key)],
        };
        fields
            .into_iter()
            .find(|(_, value)| value.trim().is_empty())
            .map(|(name, _)| name)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_round_trip_through_json_and_never_print_secrets() {
        let all = [
            StoredCredentials::None,
            StoredCredentials::Bearer {
                access_token: "t".into(),
            },
            StoredCredentials::NaverClient {
                client_id: "id".into(),
                client_secret: "$2a$04$secret".into(),
            },
            StoredCredentials::CoupangHmac {
                access_key: "a".into(),
                secret_key: "s".into(),
                vendor_id: "A00012345".into(),
            },
            StoredCredentials::ApiKey { key: "k".into() },
        ];
        for stored in all {
            let json = serde_json::to_string(&stored).unwrap();
            assert!(json.contains(&format!("\"kind\":\"{}\"", stored.kind())));
            let back: StoredCredentials = serde_json::from_str(&json).unwrap();
            assert_eq!(back, stored);
            let adapter: Credentials = back.clone().into();
            assert_eq!(StoredCredentials::from(adapter), stored);
            assert!(!format!("{stored:?}").contains("secret"));
        }
        assert_eq!(
            StoredCredentials::ApiKey { key: " ".into() }.empty_field(),
            Some("key")
        );
    }
}
