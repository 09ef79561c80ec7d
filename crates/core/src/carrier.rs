//! 택배사: the parcel carrier that issued an invoice (waybill) number (R28).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A carrier, by the console's code for it (for example `cj`, `lotte`, `epost`, `hanjin`,
/// `logen`). A string, because sellers use many carriers and new ones are data, not code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Carrier(pub String);

impl Carrier {
    /// CJ대한통운.
    pub fn cj() -> Self {
        Self("cj".into())
    }
    /// 롯데택배.
    pub fn lotte() -> Self {
        Self("lotte".into())
    }
    /// 우체국택배.
    pub fn epost() -> Self {
        Self("epost".into())
    }

    /// The carriers the console offers first, most used first.
    pub fn common() -> [Carrier; 5] {
        ["cj", "lotte", "hanjin", "logen", "epost"].map(|code| Carrier(code.into()))
    }

    /// The Korean name operators know the carrier by, when it is one of the common ones.
    pub fn korean_name(&self) -> Option<&'static str> {
        Some(match self.0.as_str() {
            "cj" => "CJ대한통운",
            "lotte" => "롯데택배",
            "epost" => "우체국택배",
            "hanjin" => "한진택배",
            "logen" => "로젠택배",
            _ => return None,
        })
    }
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.korean_name().unwrap_or(&self.0))
    }
}
