//! What can go wrong with the browser's store, in words an operator can act on.

use indexed_db_futures::error::{DomException, Error as IdbError, OpenDbError};

/// An error of the offline store (IndexedDB).
///
/// `Display` is the message the console shows the operator (Korean, with what to do); `Debug`
/// keeps the browser's own wording for the console log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser's storage quota for this site is used up (`QuotaExceededError`): nothing of
    /// the failed write was kept.
    #[error(
        "브라우저 저장 공간이 부족해 저장하지 못했습니다. 디스크 공간을 확보하거나 브라우저 \
         설정에서 이 사이트의 저장 공간을 늘린 뒤 다시 시도하세요. (방금 작업은 저장되지 않았습니다)"
    )]
    QuotaExceeded,
    /// Another tab keeps the store open at an older version, so this tab cannot upgrade it.
    #[error(
        "다른 탭이나 창에 이전 버전의 주문 콘솔이 열려 있어 저장소를 새 버전으로 바꿀 수 없습니다. \
         다른 주문 콘솔 탭을 모두 닫으면 자동으로 계속됩니다."
    )]
    UpgradeBlocked,
    /// A newer version of the console (in another tab) upgraded the store: this tab closed its
    /// connection and must be reloaded.
    #[error(
        "다른 탭에서 주문 콘솔의 새 버전이 열려 이 탭의 저장소 연결을 닫았습니다. 이 탭을 \
         새로고침하세요."
    )]
    VersionChanged,
    /// The store on disk was written by a newer version of the console than this one.
    #[error(
        "이 브라우저의 저장소는 더 새로운 버전의 주문 콘솔이 만든 것입니다. 페이지를 새로고침해 \
         최신 버전을 받으세요."
    )]
    NewerSchema,
    /// IndexedDB is not available (private mode of some browsers, disabled storage).
    #[error(
        "이 브라우저에서는 오프라인 저장소(IndexedDB)를 쓸 수 없습니다. 시크릿 모드가 아닌 일반 \
         창에서 열거나 사이트 데이터 저장을 허용하세요."
    )]
    Unavailable,
    /// A stored record could not be read back (written by a broken build, or edited by hand).
    #[error("저장소의 {what}을(를) 읽을 수 없습니다: {detail}")]
    Corrupt {
        /// Which record.
        what: String,
        /// Why.
        detail: String,
    },
    /// Any other failure of the browser's database.
    #[error("저장소 오류: {0}")]
    Other(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl Into<String>, detail: impl ToString) -> Self {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

/// The DOM exception's name (`QuotaExceededError`, `VersionError`, …), if the error is one.
fn dom_name(error: &IdbError) -> Option<String> {
    match error {
        IdbError::DomException(dom) => {
            let sys: web_sys::DomException = dom.clone().into();
            Some(sys.name())
        }
        _ => None,
    }
}

impl From<IdbError> for StoreError {
    fn from(error: IdbError) -> Self {
        match dom_name(&error).as_deref() {
            Some("QuotaExceededError") => StoreError::QuotaExceeded,
            Some("VersionError") => StoreError::NewerSchema,
            _ => match &error {
                IdbError::DomException(DomException::Other(dom)) => {
                    StoreError::Other(format!("{}: {}", dom.name(), dom.message()))
                }
                other => StoreError::Other(other.to_string()),
            },
        }
    }
}

impl From<OpenDbError> for StoreError {
    fn from(error: OpenDbError) -> Self {
        match error {
            OpenDbError::UnsupportedEnvironment | OpenDbError::NullFactory => {
                StoreError::Unavailable
            }
            OpenDbError::Base(base) => base.into(),
            other => StoreError::Other(other.to_string()),
        }
    }
}

impl From<serde_wasm_bindgen::Error> for StoreError {
    fn from(error: serde_wasm_bindgen::Error) -> Self {
        StoreError::Other(format!("변환 오류: {error}"))
    }
}
