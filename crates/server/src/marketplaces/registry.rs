//! Which adapter speaks for which marketplace.

use super::cafe24::Cafe24Adapter;
use super::coupang::CoupangAdapter;
use super::generic::GenericAdapter;
use super::naver::NaverAdapter;
use super::MarketplaceAdapter;

/// The adapter for a marketplace code: `cafe24` → Cafe24, `smartstore` and `naverpay` → Naver
/// Commerce, `coupang` → Coupang, every other code → the generic feed adapter.
pub fn adapter_for(code: &str) -> Box<dyn MarketplaceAdapter> {
    match code {
        "cafe24" => Box::new(Cafe24Adapter),
        "smartstore" | "naverpay" => Box::new(NaverAdapter),
        "coupang" => Box::new(CoupangAdapter),
        _ => Box::new(GenericAdapter),
    }
}

/// The API version a new connection of this marketplace is pinned to when none is given:
/// Cafe24's adapter's ([`super::cafe24::PINNED_API_VERSION`]); `None` for a marketplace whose
/// API has no versions to pin.
pub fn pinned_api_version(code: &str) -> Option<&'static str> {
    match code {
        "cafe24" => Some(super::cafe24::PINNED_API_VERSION),
        _ => None,
    }
}

/// The adapter's name for a marketplace code (for logs and tests).
pub fn adapter_name(code: &str) -> &'static str {
    match code {
        "cafe24" => "cafe24",
        "smartstore" | "naverpay" => "naver",
        "coupang" => "coupang",
        _ => "generic",
    }
}
