//! The dashboard's order counts, counted from the summaries in one pass: status tabs, CS states
//! and invoices not yet sent. Every figure is the size of an [`OrderFilter`]'s result, so a
//! figure and the list it opens always agree.

use super::{CsFilter, OrderFilter, OrderSummary, TabCounts};
use serde::{Deserialize, Serialize};

/// Order counts of the whole store, as the dashboard shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCounts {
    /// Orders per status tab.
    pub tabs: TabCounts,
    /// Orders per CS choice, in [`CsFilter::ALL`] order.
    pub cs: [u64; CsFilter::ALL.len()],
    /// Orders whose invoice number waits to be sent to the marketplace (송장 미전송, R29).
    pub invoice_unsent: u64,
}

impl BoardCounts {
    /// Counts `summary`.
    pub fn add(&mut self, summary: &OrderSummary) {
        self.tabs.add(summary);
        for (count, cs) in self.cs.iter_mut().zip(CsFilter::ALL) {
            if cs.matches(summary) {
                *count += 1;
            }
        }
        if summary.invoice_unsent {
            self.invoice_unsent += 1;
        }
    }

    /// The count of one CS choice.
    pub fn of_cs(&self, cs: CsFilter) -> u64 {
        CsFilter::ALL
            .iter()
            .position(|c| *c == cs)
            .map_or(0, |i| self.cs[i])
    }

    /// The search whose result a CS figure counts.
    pub fn cs_filter(cs: CsFilter) -> OrderFilter {
        OrderFilter {
            cs: Some(cs),
            ..OrderFilter::default()
        }
    }

    /// The search whose result the 송장 미전송 figure counts.
    pub fn unsent_filter() -> OrderFilter {
        OrderFilter {
            invoice_unsent: true,
            ..OrderFilter::default()
        }
    }
}
