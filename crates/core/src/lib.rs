//! Jumun's domain engine: every order, claim and sync rule, once, for the browser and the server.
//!
//! Pure Rust: no IO, no clock, no randomness. Time and new ids are arguments. Commands go in
//! ([`Command`]), are checked against the state ([`Book::decide`]) and yield events ([`Event`]) or
//! a typed [`Refusal`] that changes nothing; the state is the fold of the events
//! ([`Book::apply`], [`Book::replay`]).
//!
//! # Where each rule lives
//!
//! | rule | what | code |
//! | --- | --- | --- |
//! | R1 | orders, lines, marketplace keys | [`order::Order`], [`order::Line`], [`marketplace::MarketplaceKeys`], `book/lifecycle.rs` (collect) |
//! | R2 | line lifecycle, explicit transitions, refusals | [`order::LineStatus`], `book/lifecycle.rs` |
//! | R3 | purchase confirmation (buyer or 7 days), no claim after: an operator's is refused, a marketplace's is kept on the order for the operator without holding or changing its lines | `book/lifecycle.rs`, [`automatic`] (`AUTO_CONFIRM_DAYS`), `check_returnable` and `claim_after_confirmation` in `book/claims.rs`, [`claim::ClaimAfterConfirmation`], [`Command::CloseClaimAfterConfirmation`], [`dashboard::Dashboard::claims_after_confirmation`] |
//! | R4 | bank-transfer deadline cancel, never revived; seller orders | [`automatic`], `decide_confirm_payment` and `decide_withdraw`, [`Command::CreateSellerOrder`] |
//! | R5 | bulk commands, every failure reported | [`Book::execute_bulk`], [`BulkOutcome`] |
//! | R6 | bundles (합포), no-bundle flag, one invoice per parcel | `book/shipping_groups.rs`, [`Book::parcel_of`] |
//! | R7 | delivery info changes across the bundle | `decide_delivery_info` in `book/shipping_groups.rs` |
//! | R8 | split (with partial quantities and flags) and merge | `decide_split`, `decide_merge` in `book/shipping_groups.rs` |
//! | R9 | claims on chosen lines and quantities | [`claim::Claim`], `resolve_picks`, `book/claims.rs` |
//! | R10 | cancel before shipping, return after; exchange both: before shipping the replacement joins the order and the old line is exchanged away, after shipping it is picked up | `check_cancellable`, `check_returnable`, `decide_exchange_before_shipping` in `book/claims.rs`, [`order::Line::is_exchanged_away`], [`event::Change::ReplacementLinesAdded`] |
//! | R11 | marketplace claims hold lines; dashboard counters | `decide_collect_claim`, [`claim::Hold`], [`dashboard`] |
//! | R12 | withdrawal restores the lines | `decide_withdraw`, `undo_claim` in `book/claims.rs` |
//! | R13 | returns with pickup request, fee, payment, complete at once; a pickup expects the claimed units | `decide_return` and `pickup_created` in `book/claims.rs`, [`pickup::PickupPlan`] |
//! | R14 | pickup states, arrival quantities, restock | [`pickup`], `book/pickups.rs` |
//! | R15 | exchange CASE1: console creates the replacement order | `decide_exchange_in_console`, `replacement_order` in `book/claims.rs` |
//! | R16 | exchange CASE2: processed as cancel or return | `decide_exchange_as_case2`, [`event::Change::ClaimConverted`] |
//! | R17 | swap exchange ships before the pickup | `replacement_order` (hold unless swap), `book/pickups.rs` (release on arrival) |
//! | R18 | Cafe24 line-number change: new lines under a collected order are the exchange's replacement, never collected; manual exchange, which exchanges an unshipped line away at once (never shipped beside its replacement) | [`marketplace::MarketplaceProfile::exchange_replacement_lines`], `check_not_collected` in `book/lifecycle.rs` ([`Refusal::ExchangeLinesOfCollectedOrder`]), `decide_collect_claim` (hold), `decide_cafe24_exchange`, [`exchange::Cafe24ExchangeMode`] |
//! | R19–R22, R24 | Kakao Style exchange lifecycle | [`exchange::KakaoExchange`], `book/kakao.rs`, [`automatic`] (late → penalty) |
//! | R23 | exchange costs | [`exchange::ExchangeCost`] |
//! | R25 | status words per marketplace | [`marketplace::MarketplaceTable`], `data/marketplaces.tsv` |
//! | R26 | match keys and fallbacks, by hash lookup | [`marketplace::MatchRule`], [`cancel_sync::LineIndex`] |
//! | R27 | cancel, hold or keep | [`cancel_sync::match_cancels`], `book/cancels.rs` |
//! | R28 | invoice, print, scan to ship; held, cancelled or exchanged-away lines never shipped nor on the label; a label outdated by a change of contents is printed again | `check_parcel`, `decide_ship`, `decide_scan` in `book/lifecycle.rs`, [`order::Line::ships`], [`Book::parcel_lines`], [`event::Change::LabelOutdated`]; a marketplace's own "shipped" ships nothing: `marketplace::facts::commands_toward` |
//! | R29 | invoice numbers back to the marketplace | [`order::InvoiceUpload`], [`Command::RecordInvoiceUpload`] |
//! | R30 | stock, allocation, links | [`stock`], `with_line` in `book/apply.rs` (allocation follows every line change), `book/stock.rs` |
//! | R31 | history of every change | [`event::Event`] (time, actor, before/after), [`history`] |
//! | R32 | delay days | [`delay`] |

pub mod automatic;
pub mod book;
pub mod cancel_sync;
pub mod carrier;
pub mod claim;
pub mod command;
pub mod context;
pub mod dashboard;
pub mod delay;
pub mod event;
pub mod exchange;
pub mod fault;
pub mod history;
pub mod ids;
pub mod marketplace;
pub mod money;
pub mod order;
pub mod pickup;
pub mod refusal;
pub mod stock;
pub mod stored;

pub use book::{Book, BulkOutcome, ReplayError};
pub use command::Command;
pub use context::{Actor, Ctx};
pub use event::{Change, Event};
pub use refusal::Refusal;
