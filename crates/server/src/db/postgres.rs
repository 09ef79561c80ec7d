//! The PostgreSQL side of [`Conn`](super::Conn): a blocking client (the `postgres` crate, run on
//! the blocking thread pool like SQLite), a per-connection cache of prepared statements, the
//! placeholder rewrite (`?1` → `$1`), and the conversions between [`Param`]/[`Value`] and
//! PostgreSQL's types.

use super::sql::{Param, Row, SqlError, SqlResult, Value};
use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::error::Error;

/// A PostgreSQL session with its prepared statements.
///
/// The `postgres` client drives its socket on a small runtime of its own, which must neither be
/// started nor dropped on an async worker thread: sessions are opened on a plain thread (see
/// `Database::connect`) and used on the blocking pool, and [`Drop`] hands the client to a plain
/// thread to close.
pub struct PgConn {
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Drop for PgConn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let closing = std::thread::Builder::new()
                .name("postgres-close".into())
                .spawn(move || drop(client));
            if let Err(err) = closing {
                tracing::warn!(%err, "cannot start a thread to close a PostgreSQL session");
            }
        }
    }
}

impl PgConn {
    /// Connects to `url` (`postgres://user:password@host:port/database`, or the key=value
    /// form) without TLS: the server is expected on loopback or a private network.
    pub fn connect(url: &str) -> Result<Self, postgres::Error> {
        Ok(Self {
            client: Some(Client::connect(url, NoTls)?),
            statements: HashMap::new(),
        })
    }

    fn client(&mut self) -> &mut Client {
        // Only `Drop` takes the client out.
        self.client
            .as_mut()
            .unwrap_or_else(|| unreachable!("a PostgreSQL session used after it was closed"))
    }

    pub(super) fn execute_batch(&mut self, sql: &str) -> SqlResult<()> {
        Ok(self.client().batch_execute(sql)?)
    }

    fn prepare(&mut self, sql: &str) -> SqlResult<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(&numbered_placeholders(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(super) fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> SqlResult<u64> {
        let statement = self.prepare(sql)?;
        let params = as_dyn(params);
        Ok(self.client().execute(&statement, &params)?)
    }

    pub(super) fn for_each<E>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        mut each: impl FnMut(&Row) -> Result<(), E>,
    ) -> SqlResult<Result<(), E>> {
        let statement = self.prepare(sql)?;
        let mut rows = self.client().query_raw(&statement, params.iter())?;
        while let Some(row) = rows.next()? {
            let values = (0..row.len())
                .map(|i| column_value(&row, i))
                .collect::<SqlResult<Vec<_>>>()?;
            if let Err(err) = each(&Row::new(values)) {
                return Ok(Err(err));
            }
        }
        Ok(Ok(()))
    }
}

fn as_dyn<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// Rewrites SQLite's `?N` placeholders to PostgreSQL's `$N`, leaving quoted text alone.
pub(super) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(ch);
    }
    out
}

/// Reads column `i` by its PostgreSQL type. The schema only uses BIGINT and TEXT (plus what
/// aggregates return), so anything else is reported rather than guessed at.
fn column_value(row: &postgres::Row, i: usize) -> SqlResult<Value> {
    let ty = row.columns()[i].type_().clone();
    let value = if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?.map(Value::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map(|n| Value::Int(i64::from(n)))
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)?
            .map(|n| Value::Int(i64::from(n)))
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)?
            .map(|b| Value::Int(i64::from(b)))
    } else if ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(i)?.map(Value::Real)
    } else if ty == Type::FLOAT4 {
        row.try_get::<_, Option<f32>>(i)?
            .map(|x| Value::Real(f64::from(x)))
    } else if ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob)
    } else if [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(&ty)
    {
        row.try_get::<_, Option<String>>(i)?.map(Value::Text)
    } else {
        return Err(SqlError::Unreadable {
            column: i,
            message: format!("PostgreSQL type {ty} is not one the server reads"),
        });
    };
    Ok(value.unwrap_or(Value::Null))
}

/// Binds a [`Param`] to whatever type PostgreSQL inferred for its placeholder: integers to the
/// integer types (refusing values that do not fit) and to BOOLEAN, text to the text types.
impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) => {
                if *ty == Type::INT8 {
                    n.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(n)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(n)?.to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    (n != 0).to_sql(ty, out)
                } else {
                    Err(format!("an integer cannot be bound to a {ty} placeholder").into())
                }
            }
            Param::Text(text) => {
                if [
                    Type::TEXT,
                    Type::VARCHAR,
                    Type::BPCHAR,
                    Type::NAME,
                    Type::UNKNOWN,
                ]
                .contains(ty)
                {
                    text.to_sql(ty, out)
                } else {
                    Err(format!("text cannot be bound to a {ty} placeholder").into())
                }
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_the_postgres_way_outside_quotes() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12"
        );
    }
}
