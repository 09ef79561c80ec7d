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

/// The adapter's name for a marketplace code (for logs and tests).
pub fn adapter_name(code: &str) -> &'static str {
    match code {
        "cafe24" => "cafe24",
        "smartstore" | "naverpay" => "naver",
        "coupang" => "coupang",
        _ => "generic",
    }
}
