//! Saved searches: an operator names the current search and reopens it later. Kept in the
//! store's meta (this browser), so they work offline.

use crate::store::{Store, StoreError};
use jumun_core::listing::{OrderFilter, Sort};
use serde::{Deserialize, Serialize};

/// The meta record holding the saved searches.
pub const META_SAVED_SEARCHES: &str = "saved_searches";

/// A named search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSearch {
    /// The operator's name for it ("오늘 출고할 쿠팡").
    pub name: String,
    /// The filter.
    pub filter: OrderFilter,
    /// The sort.
    pub sort: Sort,
}

/// Why a search cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    /// No name given.
    #[error("저장할 검색의 이름을 입력하세요.")]
    NoName,
    /// The store failed.
    #[error("{0}")]
    Store(String),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e.to_string())
    }
}

/// The saved searches, in the order they were saved.
pub async fn load(store: &Store) -> Result<Vec<SavedSearch>, StoreError> {
    Ok(store
        .meta_get::<Vec<SavedSearch>>(META_SAVED_SEARCHES)
        .await?
        .unwrap_or_default())
}

/// Saves `search` under its name, replacing one of the same name. Returns the new list.
pub async fn save(store: &Store, search: SavedSearch) -> Result<Vec<SavedSearch>, SaveError> {
    let name = search.name.trim().to_owned();
    if name.is_empty() {
        return Err(SaveError::NoName);
    }
    let mut all = load(store).await?;
    all.retain(|s| s.name != name);
    all.push(SavedSearch { name, ..search });
    store.meta_set(META_SAVED_SEARCHES, &all).await?;
    Ok(all)
}

/// Deletes the saved search of this name. Returns the new list.
pub async fn delete(store: &Store, name: &str) -> Result<Vec<SavedSearch>, StoreError> {
    let mut all = load(store).await?;
    all.retain(|s| s.name != name);
    store.meta_set(META_SAVED_SEARCHES, &all).await?;
    Ok(all)
}
