//! Where stores, users and sessions are kept: the only code that writes SQL for them.
//!
//! Its interface speaks plain Rust (ids, strings, [`Role`], UTC times) and [`StorageError`], never
//! a driver's types; its SQL runs unchanged on SQLite and PostgreSQL through [`Conn`]. Writes that belong together (a store and its owner, the demo store and its users, a
//! new session and the sweep of its user's expired ones) run in one transaction.

use super::token::TokenHash;
use super::{Role, StoreId, UserId};
use crate::db::{Conn, OptionalExtension, Row, SqlError, SqlResult};
use crate::db::{Database, DatabaseError};
use crate::params;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// A store as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRecord {
    /// Its id.
    pub id: StoreId,
    /// The sign-in code, e.g. `demo`.
    pub code: String,
    /// The name people see.
    pub name: String,
}

/// A user as stored, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Its id.
    pub id: UserId,
    /// The store it belongs to.
    pub store_id: StoreId,
    /// The sign-in name, unique inside the store.
    pub login: String,
    /// The name people see.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A user to be created: everything but the id, store and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserRecord {
    /// The sign-in name, already normalised.
    pub login: String,
    /// The name people see.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The Argon2 PHC string.
    pub password_hash: String,
}

/// A session as stored, with its user and the user's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The user signed in.
    pub user: UserRecord,
    /// The user's store.
    pub store: StoreRecord,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it was signed out, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A row with the same unique key already exists (a store code, or a login in the store).
    #[error("already exists")]
    Duplicate,
    /// A stored value cannot be read back (the database was edited by hand or is damaged).
    #[error("the database holds an unreadable {what}: {value:?}; fix or remove that row")]
    Corrupt {
        /// Which kind of value.
        what: &'static str,
        /// The value found.
        value: String,
    },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DatabaseError),
}

impl From<SqlError> for StorageError {
    fn from(err: SqlError) -> Self {
        if err.is_unique_violation() {
            Self::Duplicate
        } else {
            Self::Database(DatabaseError::Sql(err))
        }
    }
}

/// The accounts' storage on the server's database (SQLite or PostgreSQL).
#[derive(Clone)]
pub struct AccountStorage {
    db: Database,
}

impl AccountStorage {
    /// Storage on `db`, whose migrations created the tables.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Creates a store together with its first user, or neither.
    pub async fn create_store_with_owner(
        &self,
        code: String,
        name: String,
        owner: NewUserRecord,
        now: DateTime<Utc>,
    ) -> Result<(StoreRecord, UserRecord), StorageError> {
        self.run(move |conn| {
            let mut tx = conn.transaction()?;
            let store = insert_store(&mut tx, &code, &name, now)?;
            let user = insert_user(&mut tx, store.id, &owner, now)?;
            tx.commit()?;
            Ok((store, user))
        })
        .await
    }

    /// Creates the store `code` unless it exists, and each of `users` whose login it does not
    /// have yet, in one transaction. Returns the store and the users it created.
    pub async fn ensure_store_with_users(
        &self,
        code: String,
        name: String,
        users: Vec<NewUserRecord>,
        now: DateTime<Utc>,
    ) -> Result<(StoreRecord, Vec<UserRecord>), StorageError> {
        self.run(move |conn| {
            let mut tx = conn.transaction()?;
            let store = match find_store(&mut tx, &code)? {
                Some(store) => store,
                None => insert_store(&mut tx, &code, &name, now)?,
            };
            let mut created = Vec::new();
            for user in &users {
                if find_user(&mut tx, store.id, &user.login)?.is_none() {
                    created.push(insert_user(&mut tx, store.id, user, now)?);
                }
            }
            tx.commit()?;
            Ok((store, created))
        })
        .await
    }

    /// The logins the store `code` already has (none if there is no such store).
    pub async fn logins_of_store(&self, code: String) -> Result<Vec<String>, StorageError> {
        self.read(move |conn| {
            Ok(conn.query_map(
                "SELECT u.login FROM users u JOIN stores s ON s.id = u.store_id
                 WHERE s.code = ?1 ORDER BY u.login",
                params![code],
                |row| row.get(0),
            )?)
        })
        .await
    }

    /// Adds a user to a store.
    pub async fn insert_user(
        &self,
        store_id: StoreId,
        user: NewUserRecord,
        now: DateTime<Utc>,
    ) -> Result<UserRecord, StorageError> {
        self.run(move |conn| insert_user(conn, store_id, &user, now))
            .await
    }

    /// Every user of one store, by login.
    pub async fn users_of_store(&self, store_id: StoreId) -> Result<Vec<UserRecord>, StorageError> {
        self.read(move |conn| {
            let raw = conn.query_map(
                &format!(
                    "SELECT {USER_COLUMNS} FROM users u WHERE u.store_id = ?1 ORDER BY u.login"
                ),
                params![store_id.0],
                RawUser::read,
            )?;
            raw.into_iter().map(RawUser::into_record).collect()
        })
        .await
    }

    /// The user `login` of the store `store_code`, its store, and its password hash.
    pub async fn credentials(
        &self,
        store_code: String,
        login: String,
    ) -> Result<Option<(StoreRecord, UserRecord, String)>, StorageError> {
        self.read(move |conn| {
            let found = conn
                .query_row(
                    &format!(
                        "SELECT {USER_COLUMNS}, {STORE_COLUMNS}, u.password_hash
                         FROM users u JOIN stores s ON s.id = u.store_id
                         WHERE s.code = ?1 AND u.login = ?2"
                    ),
                    params![store_code, login],
                    |row| {
                        Ok((
                            RawUser::read(row)?,
                            read_store(row, 6)?,
                            row.get::<String>(9)?,
                        ))
                    },
                )
                .optional()?;
            found
                .map(|(user, store, hash)| Ok((store, user.into_record()?, hash)))
                .transpose()
        })
        .await
    }

    /// Records a new session, and forgets the user's sessions that have expired, together.
    pub async fn insert_session(
        &self,
        token_hash: TokenHash,
        user_id: UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.run(move |conn| {
            let mut tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2",
                params![user_id.0, time_text(now)],
            )?;
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    token_hash.as_str(),
                    user_id.0,
                    time_text(now),
                    time_text(expires_at)
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The session with this token hash, with its user and store.
    pub async fn session(
        &self,
        token_hash: TokenHash,
    ) -> Result<Option<SessionRecord>, StorageError> {
        self.read(move |conn| {
            let found = conn
                .query_row(
                    &format!(
                        "SELECT {USER_COLUMNS}, {STORE_COLUMNS}, x.expires_at, x.revoked_at
                         FROM sessions x
                         JOIN users u ON u.id = x.user_id
                         JOIN stores s ON s.id = u.store_id
                         WHERE x.token_hash = ?1"
                    ),
                    params![token_hash.as_str()],
                    |row| {
                        Ok((
                            RawUser::read(row)?,
                            read_store(row, 6)?,
                            row.get::<String>(9)?,
                            row.get::<Option<String>>(10)?,
                        ))
                    },
                )
                .optional()?;
            let Some((user, store, expires_at, revoked_at)) = found else {
                return Ok(None);
            };
            Ok(Some(SessionRecord {
                user: user.into_record()?,
                store,
                expires_at: parse_time(&expires_at)?,
                revoked_at: revoked_at.as_deref().map(parse_time).transpose()?,
            }))
        })
        .await
    }

    /// Marks the session revoked (sign-out). `false` if there was no such session or it was
    /// already revoked.
    pub async fn revoke_session(
        &self,
        token_hash: TokenHash,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.run(move |conn| {
            let changed = conn.execute(
                "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                params![token_hash.as_str(), time_text(now)],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    /// Runs `work` on the connection, on the blocking pool.
    async fn run<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, StorageError> + Send + 'static,
    {
        // `Database::with` speaks `DatabaseError`; this module's own errors ride inside its `Ok`.
        self.db.with(move |conn| Ok(work(conn))).await?
    }

    /// Runs `work` on one of the read-only connections: every request's session check goes
    /// here, so sign-ins never queue behind a write's fsync. It sees every committed write (a
    /// session is committed before its token is handed out).
    async fn read<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, StorageError> + Send + 'static,
    {
        self.db.read(move |conn| Ok(work(conn))).await?
    }
}

/// The columns [`RawUser::read`] expects, in order (0–5).
const USER_COLUMNS: &str = "u.id, u.store_id, u.login, u.display_name, u.role, u.created_at";
/// The columns [`read_store`] expects, in order, from its offset.
const STORE_COLUMNS: &str = "s.id, s.code, s.name";

/// Times as the schema stores them: UTC, milliseconds, `Z`, so text order is time order.
fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StorageError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StorageError::Corrupt {
            what: "time",
            value: text.to_owned(),
        })
}

/// A user row before its role and time are checked.
struct RawUser {
    id: i64,
    store_id: i64,
    login: String,
    display_name: String,
    role: String,
    created_at: String,
}

impl RawUser {
    fn read(row: &Row) -> SqlResult<Self> {
        Ok(Self {
            id: row.get(0)?,
            store_id: row.get(1)?,
            login: row.get(2)?,
            display_name: row.get(3)?,
            role: row.get(4)?,
            created_at: row.get(5)?,
        })
    }

    fn into_record(self) -> Result<UserRecord, StorageError> {
        let role = Role::parse(&self.role).ok_or(StorageError::Corrupt {
            what: "role",
            value: self.role,
        })?;
        Ok(UserRecord {
            id: UserId(self.id),
            store_id: StoreId(self.store_id),
            login: self.login,
            display_name: self.display_name,
            role,
            created_at: parse_time(&self.created_at)?,
        })
    }
}

fn read_store(row: &Row, from: usize) -> SqlResult<StoreRecord> {
    Ok(StoreRecord {
        id: StoreId(row.get(from)?),
        code: row.get(from + 1)?,
        name: row.get(from + 2)?,
    })
}

fn find_store(conn: &mut Conn, code: &str) -> Result<Option<StoreRecord>, StorageError> {
    Ok(conn
        .query_row(
            &format!("SELECT {STORE_COLUMNS} FROM stores s WHERE s.code = ?1"),
            params![code],
            |row| read_store(row, 0),
        )
        .optional()?)
}

fn find_user(
    conn: &mut Conn,
    store_id: StoreId,
    login: &str,
) -> Result<Option<UserRecord>, StorageError> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.store_id = ?1 AND u.login = ?2"),
        params![store_id.0, login],
        RawUser::read,
    )
    .optional()?
    .map(RawUser::into_record)
    .transpose()
}

fn insert_store(
    conn: &mut Conn,
    code: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<StoreRecord, StorageError> {
    let id = conn.query_row(
        "INSERT INTO stores (code, name, created_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![code, name, time_text(now)],
        |row| row.get(0),
    )?;
    Ok(StoreRecord {
        id: StoreId(id),
        code: code.to_owned(),
        name: name.to_owned(),
    })
}

fn insert_user(
    conn: &mut Conn,
    store_id: StoreId,
    user: &NewUserRecord,
    now: DateTime<Utc>,
) -> Result<UserRecord, StorageError> {
    let id = conn.query_row(
        "INSERT INTO users (store_id, login, display_name, role, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        params![
            store_id.0,
            user.login,
            user.display_name,
            user.role.as_str(),
            user.password_hash,
            time_text(now)
        ],
        |row| row.get(0),
    )?;
    Ok(UserRecord {
        id: UserId(id),
        store_id,
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        created_at: now.trunc_subsecs(3),
    })
}
