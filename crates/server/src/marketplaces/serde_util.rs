//! Small serde helpers for the marketplaces' loosely typed JSON (numbers sent as strings, single
//! values sent where lists are documented, `null` where a list is expected).

use serde::{Deserialize, Deserializer};

/// Accepts a JSON string or number (Cafe24 sends amounts as `"36000.00"`; some marketplaces send
/// numeric ids) and keeps it as text.
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Either::deserialize(d)? {
        Either::S(s) => s,
        Either::N(n) => n.to_string(),
    })
}

/// Like [`string_or_number`], for an optional field (`null` and absence are `None`).
pub fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::S(s)) => Some(s),
        Some(Either::N(n)) => Some(n.to_string()),
        None => None,
    })
}

/// A list that may arrive as `null`, as one value, or as a list.
pub fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match Option::<Either<T>>::deserialize(d)? {
        Some(Either::Many(v)) => v,
        Some(Either::One(x)) => vec![x],
        None => Vec::new(),
    })
}

/// A list that may arrive as `null`.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
