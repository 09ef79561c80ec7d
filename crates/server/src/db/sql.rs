//! One SQL interface over the two engines: [`Conn`] runs the same statements on SQLite or
//! PostgreSQL, so the storage modules (accounts, sync, collector) are written once.
//!
//! Statements are written with SQLite's numbered placeholders (`?1`, `?2`, …), which the
//! PostgreSQL side rewrites to `$1`, `$2`, …; everything else is the SQL both engines share
//! (`ON CONFLICT … DO UPDATE`, `RETURNING`, `COALESCE`, `LIMIT`). Values cross as [`Param`]
//! (integers, text, NULL) and come back as [`Row`]s of owned [`Value`]s, so no driver type
//! leaks into the code above.

use super::postgres::PgConn;
use std::ops::{Deref, DerefMut};

/// Which database engine a connection talks to (the health report shows it, so it is a
/// protocol type).
pub use jumun_protocol::health::Engine;

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// SQLite refused or failed.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused or failed (or the connection to it broke).
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// A query that must return a row returned none.
    #[error("the query returned no rows")]
    NoRows,
    /// A column holds another kind of value than the code reads.
    #[error("column {column} holds {found}, not the {expected} the server expects")]
    Type {
        /// Its position in the row.
        column: usize,
        /// What the code reads.
        expected: &'static str,
        /// What the row holds.
        found: &'static str,
    },
    /// A stored value cannot be understood (the database was edited by hand or is damaged).
    #[error("column {column} holds a value the server cannot read: {message}")]
    Unreadable {
        /// Its position in the row.
        column: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A value could not be turned into SQL (e.g. a JSON encoding failed).
    #[error("cannot store a value: {0}")]
    Encode(String),
}

impl SqlError {
    /// A unique or primary-key constraint refused the row (a duplicate), on either engine.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(err) => err.sqlite_error().is_some_and(|e| {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }),
            SqlError::Postgres(err) => {
                err.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

/// `Result` with a [`SqlError`].
pub type SqlResult<T> = Result<T, SqlError>;

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// SQL NULL.
    Null,
    /// A whole number (SQLite INTEGER, PostgreSQL BIGINT).
    Int(i64),
    /// Text.
    Text(&'a str),
}

/// Turns a Rust value into a [`Param`]; see the [`params!`](crate::params) macro.
pub trait ToParam {
    /// The value as a parameter, borrowing text.
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for i32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for u32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

/// Counts and sequence numbers never come near `i64::MAX`; one that did is clamped, not wrapped.
impl ToParam for u64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

/// As [`u64`]: clamped at `i64::MAX`.
impl ToParam for usize {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

/// Stored as 0 or 1, which both engines compare and check the same way.
impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(value) => value.to_param(),
            None => Param::Null,
        }
    }
}

/// The parameters of one statement, in placeholder order: `params![store, key]`.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[$crate::db::Param<'_>]
    };
    ($($value:expr),+ $(,)?) => {
        &[$($crate::db::ToParam::to_param(&$value)),+] as &[$crate::db::Param<'_>]
    };
}

/// A value read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A whole number.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// The value bound as a parameter again; `None` for the kinds parameters do not carry
    /// (real numbers and bytes, which no table of the schema holds).
    pub fn as_param(&self) -> Option<Param<'_>> {
        match self {
            Value::Null => Some(Param::Null),
            Value::Int(value) => Some(Param::Int(*value)),
            Value::Text(text) => Some(Param::Text(text)),
            Value::Real(_) | Value::Blob(_) => None,
        }
    }

    /// What kind of value it is, for errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

/// One row of a result, its values owned.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    pub(super) fn new(values: Vec<Value>) -> Self {
        Self { values }
    }

    /// The value of column `index` (0-based) as `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> SqlResult<T> {
        let value = self.values.get(index).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| SqlError::Type {
            column: index,
            expected: T::EXPECTED,
            found: value.kind(),
        })
    }

    /// Every value of the row, in column order (for code that copies rows whatever their
    /// columns).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The text of column `index`, borrowed.
    pub fn get_str(&self, index: usize) -> SqlResult<&str> {
        match self.values.get(index) {
            Some(Value::Text(text)) => Ok(text),
            other => Err(SqlError::Type {
                column: index,
                expected: "text",
                found: other.unwrap_or(&Value::Null).kind(),
            }),
        }
    }
}

/// A Rust type a column can be read as.
pub trait FromValue: Sized {
    /// What it reads, for errors.
    const EXPECTED: &'static str;
    /// The value as `Self`, or `None` when it is another kind.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "integer";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "0 or 1";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}

impl FromValue for String {
    const EXPECTED: &'static str = "text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// Turns "no row" into `None`, like rusqlite's extension of the same name.
pub trait OptionalExtension<T> {
    /// `Ok(None)` for [`SqlError::NoRows`], otherwise unchanged.
    fn optional(self) -> SqlResult<Option<T>>;
}

impl<T> OptionalExtension<T> for SqlResult<T> {
    fn optional(self) -> SqlResult<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(SqlError::NoRows) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// An open connection to either engine.
pub struct Conn {
    inner: Inner,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

impl Conn {
    /// Wraps an open SQLite connection.
    pub fn sqlite(conn: rusqlite::Connection) -> Self {
        Self {
            inner: Inner::Sqlite(conn),
        }
    }

    pub(super) fn postgres(conn: PgConn) -> Self {
        Self {
            inner: Inner::Postgres(Box::new(conn)),
        }
    }

    /// The engine behind it.
    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs statements without parameters (a migration, `BEGIN`, a test's set-up).
    pub fn execute_batch(&mut self, sql: &str) -> SqlResult<()> {
        match &mut self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Postgres(conn) => conn.execute_batch(sql),
        }
    }

    /// Runs one statement; returns how many rows it changed. Statements are prepared once per
    /// connection and kept.
    pub fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> SqlResult<u64> {
        match &mut self.inner {
            Inner::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                bind_sqlite(&mut statement, params)?;
                Ok(statement.raw_execute()? as u64)
            }
            Inner::Postgres(conn) => conn.execute(sql, params),
        }
    }

    /// The first row of a query, read by `read`; [`SqlError::NoRows`] when there is none
    /// (see [`OptionalExtension::optional`]).
    pub fn query_row<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        read: impl FnOnce(&Row) -> SqlResult<T>,
    ) -> SqlResult<T> {
        let mut first = None;
        let mut read = Some(read);
        self.for_each(sql, params, |row| {
            if first.is_none() {
                if let Some(read) = read.take() {
                    first = Some(read(row)?);
                }
            }
            Ok::<_, SqlError>(())
        })??;
        first.ok_or(SqlError::NoRows)
    }

    /// Every row of a query, each read by `read`.
    pub fn query_map<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        mut read: impl FnMut(&Row) -> SqlResult<T>,
    ) -> SqlResult<Vec<T>> {
        let mut rows = Vec::new();
        self.for_each(sql, params, |row| {
            rows.push(read(row)?);
            Ok::<_, SqlError>(())
        })??;
        Ok(rows)
    }

    /// Streams the rows of a query to `each`, one at a time (a store's whole event log is read
    /// this way without holding it all), stopping at the first error `each` returns, which is
    /// passed back as `Ok(Err(..))`.
    pub fn for_each<E>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        mut each: impl FnMut(&Row) -> Result<(), E>,
    ) -> SqlResult<Result<(), E>> {
        match &mut self.inner {
            Inner::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                bind_sqlite(&mut statement, params)?;
                let columns = statement.column_count();
                let mut rows = statement.raw_query();
                while let Some(row) = rows.next()? {
                    let values = (0..columns)
                        .map(|i| row.get_ref(i).map(sqlite_value))
                        .collect::<Result<Vec<_>, _>>()?;
                    if let Err(err) = each(&Row::new(values)) {
                        return Ok(Err(err));
                    }
                }
                Ok(Ok(()))
            }
            Inner::Postgres(conn) => conn.for_each(sql, params, each),
        }
    }

    /// Opens a transaction: it commits with [`Transaction::commit`] and rolls back when dropped
    /// uncommitted (an error returned with `?`, or a panic).
    pub fn transaction(&mut self) -> SqlResult<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction {
            conn: self,
            open: true,
        })
    }
}

fn bind_sqlite(
    statement: &mut rusqlite::CachedStatement<'_>,
    params: &[Param<'_>],
) -> SqlResult<()> {
    // The raw binding calls check nothing, so a statement given too few values would run with
    // NULLs in their place: refuse it the way rusqlite's own `execute` does.
    let expected = statement.parameter_count();
    if expected != params.len() {
        return Err(SqlError::Sqlite(rusqlite::Error::InvalidParameterCount(
            params.len(),
            expected,
        )));
    }
    for (index, param) in (1..).zip(params) {
        match param {
            Param::Null => statement.raw_bind_parameter(index, rusqlite::types::Null)?,
            Param::Int(n) => statement.raw_bind_parameter(index, n)?,
            Param::Text(text) => statement.raw_bind_parameter(index, text)?,
        }
    }
    Ok(())
}

fn sqlite_value(value: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(bytes) => Value::Text(String::from_utf8_lossy(bytes).into_owned()),
        ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
    }
}

/// An open transaction on a [`Conn`] (which it derefs to).
pub struct Transaction<'c> {
    conn: &'c mut Conn,
    open: bool,
}

impl Transaction<'_> {
    /// Makes its writes durable; on failure it is rolled back when dropped.
    pub fn commit(mut self) -> SqlResult<()> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing better can be done with a failed rollback here: the connection reports
            // the next statement's failure, and PostgreSQL aborts a broken session anyway.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Deref for Transaction<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Conn {
        Conn::sqlite(rusqlite::Connection::open_in_memory().unwrap())
    }

    #[test]
    fn binds_reads_and_reports_no_rows() {
        let mut conn = memory();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT)")
            .unwrap();
        let none: Option<String> = None;
        let changed = conn
            .execute(
                "INSERT INTO t (id, name, note) VALUES (?1, ?2, ?3)",
                crate::params![7i64, "김철수", none],
            )
            .unwrap();
        assert_eq!(changed, 1);
        let (name, note): (String, Option<String>) = conn
            .query_row(
                "SELECT name, note FROM t WHERE id = ?1",
                crate::params![7i64],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((name.as_str(), note), ("김철수", None));
        let missing = conn
            .query_row("SELECT id FROM t WHERE id = 8", crate::params![], |row| {
                row.get::<i64>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(missing, None);
        let wrong = conn
            .query_row("SELECT name FROM t", crate::params![], |row| {
                row.get::<i64>(0)
            })
            .unwrap_err();
        assert!(wrong.to_string().contains("holds text"), "{wrong}");
    }

    #[test]
    fn a_statement_given_the_wrong_number_of_values_is_refused() {
        let mut conn = memory();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT)")
            .unwrap();
        let err = conn
            .execute("INSERT INTO t (a, b) VALUES (?1, ?2)", crate::params![1i64])
            .unwrap_err();
        assert!(err.to_string().contains("parameter"), "{err}");
        let rows = conn
            .query_row("SELECT COUNT(*) FROM t", crate::params![], |r| {
                r.get::<i64>(0)
            })
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[test]
    fn a_dropped_transaction_rolls_back_and_a_committed_one_stays() {
        let mut conn = memory();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .unwrap();
        {
            let mut tx = conn.transaction().unwrap();
            tx.execute("INSERT INTO t (id) VALUES (1)", crate::params![])
                .unwrap();
        }
        let mut tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO t (id) VALUES (2)", crate::params![])
            .unwrap();
        tx.commit().unwrap();
        let ids = conn
            .query_map("SELECT id FROM t ORDER BY id", crate::params![], |row| {
                row.get::<i64>(0)
            })
            .unwrap();
        assert_eq!(ids, vec![2]);
        let duplicate = conn
            .execute("INSERT INTO t (id) VALUES (2)", crate::params![])
            .unwrap_err();
        assert!(duplicate.is_unique_violation(), "{duplicate}");
    }
}
