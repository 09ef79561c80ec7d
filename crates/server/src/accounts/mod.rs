//! Stores (tenants), their users, and sign-in sessions.
//!
//! A store has users with a [`Role`]. Signing in with store code, login and password gives a
//! bearer token; presenting it yields an [`Authenticated`], the only way to reach the
//! store-scoped operations here. Those operations take the store from the session, never from
//! the request, so one store's users cannot see or change another store's data.

pub mod password;
pub mod storage;
pub mod token;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use storage::{AccountStorage, NewUserRecord, StorageError, StoreRecord, UserRecord};
use token::{SessionToken, TokenHash};

use crate::db::Database;

/// How long a session lasts after sign-in.
pub const SESSION_TTL: Duration = Duration::days(7);

/// Passwords shorter than this are refused when a user is created.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Passwords longer than this (in bytes) are refused, so hashing cannot be abused.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A store's id in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreId(pub i64);

/// A user's id in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(pub i64);

pub use jumun_protocol::auth::{Role, StoreInfo, UserInfo};

/// Something a request wants to do, checked against the caller's [`Role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the store's data.
    Read,
    /// Change the store's data (orders, claims, …).
    Write,
    /// See who the store's users are.
    ListUsers,
    /// Create users (and, later, change or remove them).
    ManageUsers,
}

impl Permission {
    /// Whether `role` may do this.
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            Self::Read => true,
            Self::Write | Self::ListUsers => matches!(role, Role::Owner | Role::Operator),
            Self::ManageUsers => role == Role::Owner,
        }
    }

    /// What the permission allows, for messages ("… cannot {describe}").
    fn describe(self) -> &'static str {
        match self {
            Self::Read => "read this store's data",
            Self::Write => "change this store's data",
            Self::ListUsers => "see this store's users",
            Self::ManageUsers => "manage this store's users",
        }
    }
}

/// A store as the server knows it: its id in storage, and what the API shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// Its id in storage (never shown).
    pub id: StoreId,
    /// Code and name, as the API shows them.
    pub info: StoreInfo,
}

/// A user to create: what the owner types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The sign-in name: 1–64 of `a-z 0-9 . _ -` (upper case is folded to lower).
    pub login: String,
    /// The name people see: 1–50 characters.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// At least [`MIN_PASSWORD_CHARS`] characters.
    pub password: String,
}

/// A store to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStore {
    /// The sign-in code: 2–32 of `a-z 0-9 . _ -` (upper case is folded to lower).
    pub code: String,
    /// The name people see: 1–50 characters.
    pub name: String,
}

/// A successful sign-in: the token (shown once) and who it is for.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The bearer token for `Authorization: Bearer …`.
    pub token: SessionToken,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub user: UserInfo,
    /// Their store.
    pub store: Store,
}

/// A request's proven identity: a live session's user and store.
///
/// It can only be made by [`Accounts::authenticate`], so holding one means the token was
/// checked; the store-scoped operations take it instead of a store id.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who is asking.
    pub user: UserInfo,
    /// The store the request is confined to.
    pub store: Store,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    token_hash: TokenHash,
}

impl Authenticated {
    /// The caller's role.
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// `Ok` if the caller's role allows `permission`, otherwise [`AccountsError::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<(), AccountsError> {
        if permission.allowed_for(self.role()) {
            Ok(())
        } else {
            Err(AccountsError::Forbidden {
                role: self.role(),
                permission,
            })
        }
    }
}

/// The demo store's sign-in, as printed at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLogin {
    /// The store code.
    pub store: &'static str,
    /// The owner's login.
    pub login: &'static str,
    /// The owner's password.
    pub password: &'static str,
}

/// The demo store: code and name.
pub const DEMO_STORE: (&str, &str) = ("demo", "데모 상점");
/// The demo store's users: login, display name, role, password.
pub const DEMO_USERS: [(&str, &str, Role, &str); 2] = [
    ("demo", "데모 대표", Role::Owner, "demo1234"),
    ("operator", "데모 운영자", Role::Operator, "operator1234"),
];

/// Why an accounts operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Unknown store, unknown login or wrong password: deliberately one answer for all three.
    #[error("the store code, login or password is wrong; check them and sign in again")]
    BadCredentials,
    /// No session has this token (never issued, or forgotten after it expired).
    #[error("the session token is not valid; sign in again with POST /api/auth/login")]
    UnknownSession,
    /// The session's time is up.
    #[error("the session expired at {0}; sign in again")]
    SessionExpired(DateTime<Utc>),
    /// The session was signed out.
    #[error("the session was signed out; sign in again")]
    SessionRevoked,
    /// The caller's role does not allow this.
    #[error("a user with role {} cannot {}; ask the store's owner", role.as_str(), permission.describe())]
    Forbidden {
        /// The caller's role.
        role: Role,
        /// What was asked for.
        permission: Permission,
    },
    /// A field of the request is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The JSON field.
        field: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// The login is taken in this store.
    #[error("the store already has a user {0:?}; choose another login")]
    LoginTaken(String),
    /// The store code is taken.
    #[error("a store {0:?} already exists; choose another code")]
    StoreCodeTaken(String),
    /// Hashing or checking a password failed.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// The OS random generator failed while making a token.
    #[error("the operating system's random generator failed ({0}); the server cannot make tokens")]
    Random(getrandom::Error),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A password hashing task could not finish.
    #[error("password hashing worker failed: {0}")]
    Worker(String),
}

/// Sign-in, sessions, users and stores.
#[derive(Clone)]
pub struct Accounts {
    storage: AccountStorage,
}

impl Accounts {
    /// Accounts kept in `db`.
    pub fn new(db: Database) -> Self {
        Self {
            storage: AccountStorage::new(db),
        }
    }

    /// Creates a store together with its owner (whose role is made [`Role::Owner`]), or
    /// neither.
    pub async fn create_store(
        &self,
        store: NewStore,
        owner: NewUser,
        now: DateTime<Utc>,
    ) -> Result<(Store, UserInfo), AccountsError> {
        let code = normalise_handle(&store.code, "store", 2, 32)?;
        let name = check_name(&store.name, "name")?;
        let owner = self
            .prepare_user(NewUser {
                role: Role::Owner,
                ..owner
            })
            .await?;
        match self
            .storage
            .create_store_with_owner(code.clone(), name, owner, now)
            .await
        {
            Ok((store, user)) => Ok((store_info(store), user_info(user))),
            Err(StorageError::Duplicate) => Err(AccountsError::StoreCodeTaken(code)),
            Err(err) => Err(err.into()),
        }
    }

    /// Creates the demo store and its users where they are missing; existing ones are left as
    /// they are. Returns the owner's sign-in.
    pub async fn ensure_demo(&self, now: DateTime<Utc>) -> Result<DemoLogin, AccountsError> {
        let (code, name) = DEMO_STORE;
        let existing = self.storage.logins_of_store(code.to_owned()).await?;
        let mut missing = Vec::new();
        for (login, display_name, role, password) in DEMO_USERS {
            if !existing.iter().any(|l| l == login) {
                missing.push(NewUserRecord {
                    login: login.to_owned(),
                    display_name: display_name.to_owned(),
                    role,
                    password_hash: hash_password(password.to_owned()).await?,
                });
            }
        }
        let (_, created) = self
            .storage
            .ensure_store_with_users(code.to_owned(), name.to_owned(), missing, now)
            .await?;
        for user in created {
            tracing::info!(store = code, login = %user.login, role = user.role.as_str(), "created demo user");
        }
        let (login, _, _, password) = DEMO_USERS[0];
        Ok(DemoLogin {
            store: code,
            login,
            password,
        })
    }

    /// Signs in: checks the password and opens a session of [`SESSION_TTL`].
    ///
    /// An unknown store, an unknown login and a wrong password all give
    /// [`AccountsError::BadCredentials`] after the same amount of hashing work.
    pub async fn sign_in(
        &self,
        store_code: &str,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, AccountsError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(AccountsError::BadCredentials);
        }
        let found = self
            .storage
            .credentials(fold(store_code), fold(login))
            .await?;
        let password = password.to_owned();
        let Some((store, user, stored_hash)) = found else {
            blocking(move || {
                password::verify_nobody(&password);
                Ok(())
            })
            .await?;
            return Err(AccountsError::BadCredentials);
        };
        let matches = blocking(move || Ok(password::verify(&password, &stored_hash)?)).await?;
        if !matches {
            return Err(AccountsError::BadCredentials);
        }
        let token = SessionToken::generate().map_err(AccountsError::Random)?;
        // Milliseconds are what storage keeps; the client is told the same instant.
        let expires_at = (now + SESSION_TTL).trunc_subsecs(3);
        self.storage
            .insert_session(token.hash(), user.id, now, expires_at)
            .await?;
        Ok(SignedIn {
            token,
            expires_at,
            user: user_info(user),
            store: store_info(store),
        })
    }

    /// The identity behind a bearer token, if its session is live at `now`.
    pub async fn authenticate(
        &self,
        token: &SessionToken,
        now: DateTime<Utc>,
    ) -> Result<Authenticated, AccountsError> {
        let token_hash = token.hash();
        let session = self
            .storage
            .session(token_hash.clone())
            .await?
            .ok_or(AccountsError::UnknownSession)?;
        if session.revoked_at.is_some() {
            return Err(AccountsError::SessionRevoked);
        }
        if session.expires_at <= now {
            return Err(AccountsError::SessionExpired(session.expires_at));
        }
        Ok(Authenticated {
            user: user_info(session.user),
            store: store_info(session.store),
            expires_at: session.expires_at,
            token_hash,
        })
    }

    /// Signs out: the caller's token stops working at once.
    pub async fn sign_out(
        &self,
        caller: &Authenticated,
        now: DateTime<Utc>,
    ) -> Result<(), AccountsError> {
        self.storage
            .revoke_session(caller.token_hash.clone(), now)
            .await?;
        Ok(())
    }

    /// The users of the caller's store (owners and operators only).
    pub async fn list_users(&self, caller: &Authenticated) -> Result<Vec<UserInfo>, AccountsError> {
        caller.require(Permission::ListUsers)?;
        let users = self.storage.users_of_store(caller.store.id).await?;
        Ok(users.into_iter().map(user_info).collect())
    }

    /// Adds a user to the caller's store (owners only).
    pub async fn create_user(
        &self,
        caller: &Authenticated,
        user: NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserInfo, AccountsError> {
        caller.require(Permission::ManageUsers)?;
        let record = self.prepare_user(user).await?;
        let login = record.login.clone();
        match self.storage.insert_user(caller.store.id, record, now).await {
            Ok(user) => Ok(user_info(user)),
            Err(StorageError::Duplicate) => Err(AccountsError::LoginTaken(login)),
            Err(err) => Err(err.into()),
        }
    }

    /// Checks a new user's fields and hashes the password.
    async fn prepare_user(&self, user: NewUser) -> Result<NewUserRecord, AccountsError> {
        let login = normalise_handle(&user.login, "login", 1, 64)?;
        let display_name = check_name(&user.name, "name")?;
        check_password(&user.password)?;
        Ok(NewUserRecord {
            login,
            display_name,
            role: user.role,
            password_hash: hash_password(user.password).await?,
        })
    }
}

/// Hashes on the blocking pool: Argon2 is deliberately slow and must not stall the async workers.
async fn hash_password(password: String) -> Result<String, AccountsError> {
    blocking(move || Ok(password::hash(&password)?)).await
}

async fn blocking<T, F>(work: F) -> Result<T, AccountsError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, AccountsError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AccountsError::Worker(e.to_string()))?
}

/// Sign-in handles compare without surrounding spaces and case: phones capitalise the first
/// letter.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

/// A store code or login, folded and checked: `min..=max` of `a-z 0-9 . _ -`, starting with a
/// letter or digit.
fn normalise_handle(
    text: &str,
    field: &'static str,
    min: usize,
    max: usize,
) -> Result<String, AccountsError> {
    let handle = fold(text);
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    let starts_well = handle
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if (min..=max).contains(&handle.len()) && handle.chars().all(allowed) && starts_well {
        Ok(handle)
    } else {
        Err(AccountsError::Invalid {
            field,
            reason: format!(
                "{text:?} is not usable; use {min}–{max} of a-z, 0-9, '.', '_', '-', \
                 starting with a letter or digit"
            ),
        })
    }
}

/// A display name: trimmed, 1–50 characters, no control characters.
fn check_name(text: &str, field: &'static str) -> Result<String, AccountsError> {
    let name = text.trim();
    let length = name.chars().count();
    if (1..=50).contains(&length) && !name.chars().any(char::is_control) {
        Ok(name.to_owned())
    } else {
        Err(AccountsError::Invalid {
            field,
            reason: "give 1–50 characters without line breaks or control characters".to_owned(),
        })
    }
}

fn check_password(password: &str) -> Result<(), AccountsError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        Err(AccountsError::Invalid {
            field: "password",
            reason: format!(
                "use at least {MIN_PASSWORD_CHARS} characters (and at most {MAX_PASSWORD_BYTES} bytes)"
            ),
        })
    } else {
        Ok(())
    }
}

fn store_info(store: StoreRecord) -> Store {
    Store {
        id: store.id,
        info: StoreInfo {
            code: store.code,
            name: store.name,
        },
    }
}

fn user_info(user: UserRecord) -> UserInfo {
    UserInfo {
        login: user.login,
        name: user.display_name,
        role: user.role,
        created_at: user.created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
    }

    struct Fixture {
        accounts: Accounts,
        db: Database,
        _dir: tempfile::TempDir,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::testing::open(dir.path(), "2026-11-24T00:00:00Z").unwrap();
        Fixture {
            accounts: Accounts::new(db.clone()),
            db,
            _dir: dir,
        }
    }

    fn user(login: &str, role: Role) -> NewUser {
        NewUser {
            login: login.to_owned(),
            name: format!("{login} 님"),
            role,
            password: format!("{login}-password"),
        }
    }

    fn store(code: &str) -> NewStore {
        NewStore {
            code: code.to_owned(),
            name: format!("{code} 상점"),
        }
    }

    async fn sign_in(accounts: &Accounts, store: &str, login: &str) -> Authenticated {
        let signed_in = accounts
            .sign_in(store, login, &format!("{login}-password"), t0())
            .await
            .unwrap();
        accounts.authenticate(&signed_in.token, t0()).await.unwrap()
    }

    async fn count(db: &Database, sql: &'static str) -> i64 {
        db.with(move |c| Ok(c.query_row(sql, &[], |r| r.get(0))?))
            .await
            .unwrap()
    }

    #[test]
    fn roles_allow_what_the_issue_says() {
        use Permission::*;
        let table = [
            (Role::Owner, [true, true, true, true]),
            (Role::Operator, [true, true, true, false]),
            (Role::Viewer, [true, false, false, false]),
        ];
        for (role, expected) in table {
            let got = [Read, Write, ListUsers, ManageUsers].map(|p| p.allowed_for(role));
            assert_eq!(got, expected, "{role:?}");
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[tokio::test]
    async fn sign_in_checks_the_password_and_opens_a_session() {
        let f = fixture();
        f.accounts
            .create_store(store("alpha"), user("kim", Role::Viewer), t0())
            .await
            .unwrap();
        // Case and surrounding spaces of store and login do not matter.
        let signed_in = f
            .accounts
            .sign_in(" Alpha ", "KIM", "kim-password", t0())
            .await
            .unwrap();
        assert_eq!(signed_in.expires_at, t0() + SESSION_TTL);
        assert_eq!(signed_in.store.info.code, "alpha");
        // The owner's role is forced to owner whatever the form said.
        assert_eq!(signed_in.user.role, Role::Owner);
        let me = f
            .accounts
            .authenticate(&signed_in.token, t0())
            .await
            .unwrap();
        assert_eq!(me.user.login, "kim");
        assert_eq!(me.store.info.name, "alpha 상점");

        for (store, login, password) in [
            ("alpha", "kim", "wrong-password"),
            ("alpha", "lee", "kim-password"),
            ("bravo", "kim", "kim-password"),
            ("alpha", "kim", ""),
        ] {
            let err = f
                .accounts
                .sign_in(store, login, password, t0())
                .await
                .unwrap_err();
            assert!(
                matches!(err, AccountsError::BadCredentials),
                "{store}/{login}: {err}"
            );
        }
        let huge = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(matches!(
            f.accounts.sign_in("alpha", "kim", &huge, t0()).await,
            Err(AccountsError::BadCredentials)
        ));
    }

    #[tokio::test]
    async fn only_the_token_hash_is_stored() {
        let f = fixture();
        f.accounts
            .create_store(store("alpha"), user("kim", Role::Owner), t0())
            .await
            .unwrap();
        let signed_in = f
            .accounts
            .sign_in("alpha", "kim", "kim-password", t0())
            .await
            .unwrap();
        let token = signed_in.token.as_str().to_owned();
        let (stored, password_hash): (String, String) = f
            .db
            .with(|c| {
                Ok(c.query_row(
                    "SELECT x.token_hash, u.password_hash FROM sessions x JOIN users u ON u.id = x.user_id",
                    &[],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .await
            .unwrap();
        assert_eq!(stored, signed_in.token.hash().as_str());
        assert_ne!(stored, token);
        assert!(password_hash.starts_with("$argon2id$"));
        assert!(!password_hash.contains("kim-password"));
    }

    #[tokio::test]
    async fn sessions_end_at_expiry_and_at_sign_out() {
        let f = fixture();
        f.accounts
            .create_store(store("alpha"), user("kim", Role::Owner), t0())
            .await
            .unwrap();
        let first = f
            .accounts
            .sign_in("alpha", "kim", "kim-password", t0())
            .await
            .unwrap();
        let second = f
            .accounts
            .sign_in("alpha", "kim", "kim-password", t0())
            .await
            .unwrap();
        let almost = t0() + SESSION_TTL - Duration::seconds(1);
        assert!(f.accounts.authenticate(&first.token, almost).await.is_ok());
        assert!(matches!(
            f.accounts.authenticate(&first.token, t0() + SESSION_TTL).await,
            Err(AccountsError::SessionExpired(at)) if at == t0() + SESSION_TTL
        ));

        let caller = f.accounts.authenticate(&first.token, t0()).await.unwrap();
        f.accounts.sign_out(&caller, t0()).await.unwrap();
        assert!(matches!(
            f.accounts.authenticate(&first.token, t0()).await,
            Err(AccountsError::SessionRevoked)
        ));
        // Signing out one session leaves the user's other sessions alone.
        assert!(f.accounts.authenticate(&second.token, t0()).await.is_ok());

        let never_issued = SessionToken::generate().unwrap();
        assert!(matches!(
            f.accounts.authenticate(&never_issued, t0()).await,
            Err(AccountsError::UnknownSession)
        ));

        // A later sign-in forgets the user's expired sessions.
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM sessions").await, 2);
        f.accounts
            .sign_in("alpha", "kim", "kim-password", t0() + SESSION_TTL)
            .await
            .unwrap();
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM sessions").await, 1);
    }

    #[tokio::test]
    async fn only_owners_create_users_and_only_in_their_own_store() {
        let f = fixture();
        f.accounts
            .create_store(store("alpha"), user("boss", Role::Owner), t0())
            .await
            .unwrap();
        f.accounts
            .create_store(store("bravo"), user("boss", Role::Owner), t0())
            .await
            .unwrap();
        let alpha_owner = sign_in(&f.accounts, "alpha", "boss").await;
        let created = f
            .accounts
            .create_user(
                &alpha_owner,
                NewUser {
                    login: " Viewer.1".into(),
                    ..user("viewer.1", Role::Viewer)
                },
                t0(),
            )
            .await
            .unwrap();
        assert_eq!(created.login, "viewer.1");
        f.accounts
            .create_user(&alpha_owner, user("op", Role::Operator), t0())
            .await
            .unwrap();

        let viewer = sign_in(&f.accounts, "alpha", "viewer.1").await;
        let operator = sign_in(&f.accounts, "alpha", "op").await;
        for caller in [&viewer, &operator] {
            let err = f
                .accounts
                .create_user(caller, user("sneaky", Role::Owner), t0())
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    AccountsError::Forbidden {
                        permission: Permission::ManageUsers,
                        ..
                    }
                ),
                "{err}"
            );
        }
        assert!(matches!(
            f.accounts.list_users(&viewer).await,
            Err(AccountsError::Forbidden {
                role: Role::Viewer,
                ..
            })
        ));

        let alpha: Vec<String> = f
            .accounts
            .list_users(&operator)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect();
        assert_eq!(alpha, ["boss", "op", "viewer.1"]);
        let bravo_owner = sign_in(&f.accounts, "bravo", "boss").await;
        let bravo: Vec<String> = f
            .accounts
            .list_users(&bravo_owner)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect();
        assert_eq!(bravo, ["boss"]);
    }

    #[tokio::test]
    async fn bad_new_users_are_explained() {
        let f = fixture();
        f.accounts
            .create_store(store("alpha"), user("boss", Role::Owner), t0())
            .await
            .unwrap();
        let owner = sign_in(&f.accounts, "alpha", "boss").await;
        let cases = [
            (
                NewUser {
                    login: "".into(),
                    ..user("x", Role::Viewer)
                },
                "login",
            ),
            (
                NewUser {
                    login: "김철수".into(),
                    ..user("x", Role::Viewer)
                },
                "login",
            ),
            (
                NewUser {
                    login: "-dash".into(),
                    ..user("x", Role::Viewer)
                },
                "login",
            ),
            (
                NewUser {
                    name: "  ".into(),
                    ..user("x", Role::Viewer)
                },
                "name",
            ),
            (
                NewUser {
                    name: "a\nb".into(),
                    ..user("x", Role::Viewer)
                },
                "name",
            ),
            (
                NewUser {
                    password: "short".into(),
                    ..user("x", Role::Viewer)
                },
                "password",
            ),
        ];
        for (new_user, expected_field) in cases {
            match f.accounts.create_user(&owner, new_user.clone(), t0()).await {
                Err(AccountsError::Invalid { field, .. }) => {
                    assert_eq!(field, expected_field, "{new_user:?}")
                }
                other => panic!("{new_user:?}: {other:?}"),
            }
        }
        let err = f
            .accounts
            .create_user(&owner, user("BOSS", Role::Viewer), t0())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AccountsError::LoginTaken(l) if l == "boss"),
            "{err}"
        );
        assert!(matches!(
            f.accounts
                .create_store(store("ALPHA"), user("x", Role::Owner), t0())
                .await,
            Err(AccountsError::StoreCodeTaken(code)) if code == "alpha"
        ));
    }

    #[tokio::test]
    async fn a_store_and_its_owner_are_created_together_or_not_at_all() {
        let f = fixture();
        f.db.with(|c| {
            let sql =
                crate::db::testing::refuse_inserts_sql(c.engine(), "no_users", "users", "TRUE");
            c.execute_batch(&sql)?;
            Ok(())
        })
        .await
        .unwrap();
        let err = f
            .accounts
            .create_store(store("alpha"), user("boss", Role::Owner), t0())
            .await
            .unwrap_err();
        assert!(matches!(err, AccountsError::Storage(_)), "{err}");
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM stores").await, 0);
    }

    #[tokio::test]
    async fn the_demo_store_is_created_once_and_signs_in() {
        let f = fixture();
        let demo = f.accounts.ensure_demo(t0()).await.unwrap();
        assert_eq!(
            demo,
            DemoLogin {
                store: "demo",
                login: "demo",
                password: "demo1234"
            }
        );
        f.accounts.ensure_demo(t0()).await.unwrap();
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM stores").await, 1);
        assert_eq!(count(&f.db, "SELECT COUNT(*) FROM users").await, 2);
        let owner = f
            .accounts
            .sign_in("demo", "demo", "demo1234", t0())
            .await
            .unwrap();
        assert_eq!(owner.store.info.name, "데모 상점");
        assert_eq!(owner.user.role, Role::Owner);
        let operator = f
            .accounts
            .sign_in("demo", "operator", "operator1234", t0())
            .await
            .unwrap();
        assert_eq!(operator.user.role, Role::Operator);
    }
}
