//! Marketplace connections and their collection runs: `GET/POST /api/connections`, `PATCH
//! /api/connections/{id}`, `POST /api/connections/{id}/collect`, `GET
//! /api/connections/{id}/runs`, `GET /api/malformed`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Marketplace credentials as the API takes them (and the server keeps them, encrypted):
/// `{"kind": "none"}`, `{"kind": "bearer", "access_token": …}`, `{"kind": "naver_client",
/// "client_id": …, "client_secret": …}`, `{"kind": "coupang_hmac", "access_key": …,
/// "secret_key": …, "vendor_id": …}`, `{"kind": "api_key", "key": …}`. The API never answers
/// them, only their [`kind`](StoredCredentials::kind).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A connection to create (`POST /api/connections`, owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewConnection {
    /// A code of the console's marketplace table, e.g. `cafe24`, `smartstore`, `coupang`,
    /// `zigzag`.
    pub marketplace: String,
    /// The API's base URL: `https://…`, or `http://` on loopback (a sandbox).
    pub base_url: String,
    /// The credentials.
    pub credentials: StoredCredentials,
    /// Seconds between scheduled runs: 600–1800 (default 900, R25); 1–1800 for a loopback
    /// base URL.
    #[serde(default)]
    pub period_seconds: Option<u32>,
    /// Whether the scheduler runs it (default yes).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The marketplace's carrier codes by the console's carrier code, for invoice uploads
    /// (`{"cj": "0006"}`; default none). A Cafe24 mall has its own, so a Cafe24 connection
    /// needs them; elsewhere they override the adapter's known codes.
    #[serde(default)]
    pub carrier_codes: Option<BTreeMap<String, String>>,
    /// The marketplace API version to pin (`YYYY-MM-DD`), for a marketplace that versions its
    /// API by date: Cafe24 (sent as `X-Cafe24-Api-Version`; default the adapter's own). Other
    /// marketplaces take none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// The path, below a marketplace directory's URL, that lists its connections.
pub const DIRECTORY_PATH: &str = "/connections";

/// What a marketplace directory answers at [`DIRECTORY_PATH`]: the connection settings of each
/// marketplace it serves, as `POST /api/connections` takes them. The sandbox marketplace serves
/// one; `jumun-server --demo --demo-marketplaces URL` reads it to connect the demo store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketplaceDirectory {
    /// One connection per marketplace.
    pub connections: Vec<NewConnection>,
}

/// Changes to a connection (`PATCH /api/connections/{id}`, owners); absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionPatch {
    /// A new base URL (the credentials are re-encrypted for it).
    #[serde(default)]
    pub base_url: Option<String>,
    /// New credentials.
    #[serde(default)]
    pub credentials: Option<StoredCredentials>,
    /// A new period, in seconds.
    #[serde(default)]
    pub period_seconds: Option<u32>,
    /// On or off for the scheduler.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The marketplace's carrier codes by the console's carrier code; replaces the whole map
    /// (`{}` clears it).
    #[serde(default)]
    pub carrier_codes: Option<BTreeMap<String, String>>,
    /// The marketplace API version to pin (`YYYY-MM-DD`, Cafe24 only).
    #[serde(default)]
    pub api_version: Option<String>,
}

/// The store's connections (`GET /api/connections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionList {
    /// The store's connections, each with its latest run.
    pub connections: Vec<ConnectionInfo>,
}

/// A connection as the API shows it: never its credentials, only their kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionInfo {
    /// Its id.
    pub id: i64,
    /// The marketplace's code.
    pub marketplace: String,
    /// The marketplace's name operators know (판매처명).
    pub marketplace_name: String,
    /// The API's base URL.
    pub base_url: String,
    /// `none`, `bearer`, `naver_client`, `coupang_hmac` or `api_key`; `unreadable` when the
    /// stored credentials cannot be decrypted (see `credentials_error`).
    pub credentials_kind: String,
    /// Why the stored credentials cannot be used (e.g. the server's secret key is not the one
    /// they were stored with), and what to do; `null` when they can.
    pub credentials_error: Option<String>,
    /// Seconds between scheduled runs.
    pub period_seconds: u32,
    /// Whether the scheduler runs it.
    pub enabled: bool,
    /// Where the next orders collection resumes (the marketplace's cursor).
    pub orders_cursor: String,
    /// Where the next claims collection resumes.
    pub claims_cursor: String,
    /// Failed runs in a row (the scheduler backs off after each).
    pub failures: u32,
    /// When the scheduler runs it next.
    pub next_run_at: DateTime<Utc>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its settings last changed.
    pub updated_at: DateTime<Utc>,
    /// The marketplace's carrier codes by the console's carrier code, for invoice uploads
    /// (`{"cj": "0006"}`).
    pub carrier_codes: BTreeMap<String, String>,
    /// The marketplace API version its calls are pinned to (Cafe24's `X-Cafe24-Api-Version`);
    /// empty when the marketplace has none, or for a connection made before versions were
    /// pinned (its calls then follow the app's version in the marketplace's developer centre).
    #[serde(default)]
    pub api_version: String,
    /// Its latest run.
    pub last_run: Option<RunRecord>,
    /// Claims in the console whose acknowledgement the marketplace has not taken yet; each run
    /// tries them again (its notes say how it went).
    pub unacknowledged_claims: u32,
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The scheduler, at the connection's period.
    Schedule,
    /// An operator's "collect now".
    Manual,
}

impl Trigger {
    /// The name as in JSON (and the server's storage).
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
        }
    }
}

/// The record of one collection run: when, how many, what failed (`POST
/// /api/connections/{id}/collect` answers it; `GET /api/connections/{id}/runs` lists them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRecord {
    /// Its id.
    pub id: i64,
    /// The connection.
    pub connection_id: i64,
    /// Schedule or manual.
    pub trigger: Trigger,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended (`null`: running, or the server stopped mid-run).
    pub finished_at: Option<DateTime<Utc>>,
    /// Orders collected into the console.
    pub orders_new: u32,
    /// Known orders moved forward by a marketplace fact (paid, delivered, purchase confirmed).
    pub orders_updated: u32,
    /// Orders already in the console with nothing new.
    pub orders_unchanged: u32,
    /// Orders (or new lines of known orders) not collected: Cafe24 exchange lines whose line
    /// number changed (R18), or a refusal (see `notes`).
    pub orders_skipped: u32,
    /// Returns, exchanges and unrecognised cancels collected as held claims (R11).
    pub claims: u32,
    /// Claims the marketplace withdrew, withdrawn in the console (R12).
    pub claims_withdrawn: u32,
    /// Cancel-sync records that cancelled, held or withdrew lines (R27).
    pub cancels_applied: u32,
    /// Cancel-sync records that matched no line, kept and shown (R27).
    pub cancels_unmatched: u32,
    /// Invoice numbers sent back to the marketplace (R29).
    pub invoices_sent: u32,
    /// Payloads that could not be used, kept with their raw bodies (`GET /api/malformed`).
    pub malformed: u32,
    /// What the operator should know about single items.
    pub notes: Vec<String>,
    /// Why a stage failed (the marketplace unreachable, a body that is not the documented
    /// envelope, the database); `null` when every stage went through.
    pub error: Option<String>,
}

impl RunRecord {
    /// A run that has just started: nothing counted yet.
    pub fn started(
        id: i64,
        connection_id: i64,
        trigger: Trigger,
        started_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            connection_id,
            trigger,
            started_at,
            finished_at: None,
            orders_new: 0,
            orders_updated: 0,
            orders_unchanged: 0,
            orders_skipped: 0,
            claims: 0,
            claims_withdrawn: 0,
            cancels_applied: 0,
            cancels_unmatched: 0,
            invoices_sent: 0,
            malformed: 0,
            notes: Vec::new(),
            error: None,
        }
    }
}

/// A connection's runs (`GET /api/connections/{id}/runs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunList {
    /// Newest first.
    pub runs: Vec<RunRecord>,
}

/// A payload a run could not use, kept with its raw body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MalformedRecord {
    /// Its id.
    pub id: i64,
    /// The connection.
    pub connection_id: i64,
    /// The connection's marketplace.
    pub marketplace: String,
    /// The run that first met it.
    pub first_run_id: i64,
    /// The latest run that met it.
    pub last_run_id: i64,
    /// When it was first met.
    pub received_at: DateTime<Utc>,
    /// When it was last met.
    pub last_seen_at: DateTime<Utc>,
    /// How many runs met it.
    pub times_seen: u32,
    /// `orders` or `claims`.
    pub feed: String,
    /// The request and the element's JSON path.
    pub at_path: String,
    /// What is wrong with it.
    pub error: String,
    /// The element's raw JSON, as the marketplace sent it.
    pub raw: String,
}

/// The store's malformed payloads (`GET /api/malformed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MalformedList {
    /// Newest first.
    pub malformed: Vec<MalformedRecord>,
}

/// The query string `?limit=` of the lists (runs, malformed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct LimitQuery {
    /// How many, 1 to 500 (default 20 for runs, 50 for malformed payloads).
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each kind.
    fn every_kind() -> [StoredCredentials; 5] {
        [
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
        ]
    }

    #[test]
    fn credentials_round_trip_with_their_kind_as_tag_and_never_print_secrets() {
        for stored in every_kind() {
            let json = serde_json::to_string(&stored).unwrap();
            assert!(json.contains(&format!("\"kind\":\"{}\"", stored.kind())));
            let back: StoredCredentials = serde_json::from_str(&json).unwrap();
            assert_eq!(back, stored);
            assert_eq!(
                format!("{stored:?}"),
                format!("StoredCredentials::{}(…)", stored.kind())
            );
        }
    }

    #[test]
    fn empty_secret_fields_are_named() {
        let credentials = StoredCredentials::NaverClient {
            client_id: "id".into(),
            client_secret: "  ".into(),
        };
        assert_eq!(credentials.empty_field(), Some("client_secret"));
        assert_eq!(
            StoredCredentials::ApiKey { key: " ".into() }.empty_field(),
            Some("key")
        );
        assert_eq!(StoredCredentials::None.empty_field(), None);
    }
}
