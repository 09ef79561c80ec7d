//! Running an export: the orders of a result or a selection, read from the store in chunks and
//! fed to `jumun-export`'s writer (which makes every cell), then handed to the browser as a
//! download. Nothing here formats a value.

use crate::screens::orders::query::{self, Rows};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use jumun_export::{ColumnTemplate, CsvWriter, ExportError, Format, TemplateError, XlsxWriter};
use std::cell::Cell;
use std::collections::BTreeSet;
use wasm_bindgen::{JsCast, JsValue};

/// Orders read and written per step: small enough that the page stays responsive and the
/// progress moves, large enough that IndexedDB round trips do not dominate.
pub const CHUNK: usize = 500;

/// Summaries read per step while collecting the 관리번호 of an index-ordered result.
const ID_PAGE: usize = 5_000;

/// Why an export failed. The messages are the operator's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The offline store could not be read.
    #[error("{0}")]
    Store(String),
    /// The template is not valid, or the file would be too big for Excel.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The browser refused to make the file.
    #[error("파일을 내려받지 못했습니다: {0}")]
    Download(String),
}

impl From<StoreError> for RunError {
    fn from(e: StoreError) -> Self {
        RunError::Store(e.to_string())
    }
}

impl From<TemplateError> for RunError {
    fn from(e: TemplateError) -> Self {
        RunError::Export(e.into())
    }
}

/// A finished export, ready to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its name (`기본_20261116_0905.xlsx`).
    pub file_name: String,
    /// Its format.
    pub format: Format,
    /// Orders written (those deleted meanwhile are left out).
    pub orders: usize,
    /// Data rows written (one per exported line).
    pub rows: usize,
}

/// The 관리번호 of a whole result, in its order. An index-ordered result is read page by page;
/// only the numbers are kept.
pub async fn result_ids(store: &Store, rows: &Rows) -> Result<Vec<u64>, StoreError> {
    match rows {
        Rows::Ids(ids) => Ok(ids.to_vec()),
        Rows::Index { .. } => {
            let mut ids = Vec::new();
            loop {
                let page = query::window(store, rows, ids.len(), ID_PAGE).await?;
                ids.extend(page.iter().map(|summary| summary.id));
                if page.len() < ID_PAGE {
                    return Ok(ids);
                }
            }
        }
    }
}

/// The selected orders, in the result's order when the result lists its orders, else by
/// 관리번호 (an index-ordered result would have to be read whole to place a few orders).
pub fn selected_ids(selected: &BTreeSet<u64>, rows: &Rows) -> Vec<u64> {
    match rows {
        Rows::Ids(ids) => ids
            .iter()
            .copied()
            .filter(|id| selected.contains(id))
            .collect(),
        Rows::Index { .. } => selected.iter().copied().collect(),
    }
}

/// The writer of either format.
enum Writer {
    Xlsx(Box<XlsxWriter>),
    Csv(CsvWriter),
}

impl Writer {
    fn new(
        template: &ColumnTemplate,
        format: Format,
        created_at: DateTime<Utc>,
    ) -> Result<Self, TemplateError> {
        Ok(match format {
            Format::Xlsx => Writer::Xlsx(Box::new(XlsxWriter::new(template, created_at)?)),
            Format::Csv => Writer::Csv(CsvWriter::new(template)?),
        })
    }

    fn add(&mut self, order: &jumun_core::order::Order) -> Result<(), ExportError> {
        match self {
            Writer::Xlsx(writer) => writer.add(order),
            Writer::Csv(writer) => {
                writer.add(order);
                Ok(())
            }
        }
    }

    fn rows(&self) -> usize {
        match self {
            Writer::Xlsx(writer) => writer.rows(),
            Writer::Csv(writer) => writer.rows(),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Writer::Xlsx(writer) => writer.finish(),
            Writer::Csv(writer) => writer.finish(),
        }
    }
}

/// Writes the orders `ids` (in that order) with `template` as `format`, reading [`CHUNK`]
/// orders at a time. `progress` is told how many of `ids` are done after each chunk; when
/// `stop` is set, the export ends after the chunk under way and its file is dropped (`None`).
pub async fn export(
    store: &Store,
    template: &ColumnTemplate,
    format: Format,
    ids: &[u64],
    created_at: DateTime<Utc>,
    stop: &Cell<bool>,
    mut progress: impl FnMut(usize),
) -> Result<Option<Exported>, RunError> {
    let mut writer = Writer::new(template, format, created_at)?;
    let mut orders = 0;
    let mut done = 0;
    for chunk in ids.chunks(CHUNK) {
        if stop.get() {
            return Ok(None);
        }
        for order in store.orders(chunk).await? {
            writer.add(&order)?;
            orders += 1;
        }
        done += chunk.len();
        progress(done);
    }
    if stop.get() {
        return Ok(None);
    }
    let rows = writer.rows();
    Ok(Some(Exported {
        bytes: writer.finish(),
        file_name: format.file_name(template, created_at),
        format,
        orders,
        rows,
    }))
}

/// Hands the file to the browser as a download: a Blob behind a temporary link, whose URL is
/// revoked once the browser has taken the file.
pub fn download(exported: &Exported) -> Result<(), RunError> {
    let failed = |e: JsValue| {
        RunError::Download(
            e.as_string()
                .or_else(|| {
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| "알 수 없는 오류".to_owned()),
        )
    };
    let window = web_sys::window().ok_or_else(|| RunError::Download("창이 없습니다".into()))?;
    let document = window
        .document()
        .ok_or_else(|| RunError::Download("문서가 없습니다".into()))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(exported.bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(exported.format.mime_type());
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(&exported.file_name);
    link.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| RunError::Download("문서가 없습니다".into()))?;
    body.append_child(&link).map_err(failed)?;
    link.click();
    link.remove();
    // The browser reads the Blob after this task; revoke in a later one.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)
        .map_err(failed)?;
    Ok(())
}
