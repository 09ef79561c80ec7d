//! What the dashboard reads besides the order summaries: the claims, in batches for a scan.

use super::rows::PieceRow;
use super::schema::stores;
use super::{Store, StoreError};
use jumun_core::claim::Claim;

impl Store {
    /// Up to `limit` claims after claim id `after` (from the first when `None`), in id order:
    /// one batch of a scan. The caller yields to the page between batches.
    pub async fn claims_batch(
        &self,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<Claim>, StoreError> {
        let found = self.rows_after(stores::CLAIMS, after, limit).await?;
        found
            .into_iter()
            .map(|value| {
                let row: PieceRow = serde_wasm_bindgen::from_value(value)?;
                serde_json::from_str(&row.doc).map_err(|e| StoreError::corrupt("클레임", e))
            })
            .collect()
    }
}
