//! Jumun's domain engine: every order, claim and sync rule, once, for the browser and the server.
//!
//! Pure Rust: no IO, no clock, no randomness. Time and new ids are arguments. Commands go in
//! ([`Command`]), are checked against the state ([`Book::decide`]) and yield events ([`Event`]) or
//! a typed [`Refusal`] that changes nothing; the state is the fold of the events
//! ([`Book::apply`], [`Book::replay`]).
//!
//! # Where each rule lives
//!
//! The rules R1–R32 are written out in `docs/rules.md` at the root of the repository: each rule
//! in the project's words, what the console does, the choices made where the sources leave room,
//! and the code and tests that carry it. Tests are named after their rule (`fn r12_…`). The item
//! that carries each rule:
//!
//! - R1 orders, lines, marketplace keys: [`order::Order`], [`order::Line`], [`marketplace::MarketplaceKeys`]
//! - R2 delivery lifecycle, explicit steps: [`order::LineStatus`], [`Refusal::IllegalTransition`]
//! - R3 purchase confirmation: [`automatic::AUTO_CONFIRM_DAYS`], [`claim::ClaimAfterConfirmation`]
//! - R4 bank-transfer deadline, never revived: [`Book::due`], [`Refusal::CannotRevive`], [`Command::CreateSellerOrder`]
//! - R5 bulk processing: [`Book::execute_bulk`], [`BulkOutcome`]
//! - R6 bundles: [`Command::Bundle`], [`Book::parcel_of`]
//! - R7 delivery info across the bundle: [`Command::ChangeDeliveryInfo`]
//! - R8 split and merge: [`Command::Split`], [`Command::Merge`]
//! - R9 claims on chosen lines and quantities: [`claim::Claim`], [`claim::ClaimPick`]
//! - R10 cancel before shipping, return after, exchange both: [`Command::Exchange`], [`order::Line::is_exchanged_away`]
//! - R11 marketplace claims hold their lines: [`Command::CollectClaim`], [`claim::Hold`], [`dashboard::Dashboard`]
//! - R12 withdrawal: [`Command::WithdrawClaim`], [`event::Change::ClaimClosedUndone`]
//! - R13 returns and their pickup: [`command::ReturnRequest`], [`pickup::PickupPlan`]
//! - R14 pickups: [`pickup::Pickup`], [`pickup::PickupState`]
//! - R15 exchange CASE1: [`exchange::ExchangeFlow::Case1`], [`order::OrderOrigin::Exchange`]
//! - R16 exchange CASE2: [`exchange::ExchangeFlow::Case2`], [`event::Change::ClaimConverted`]
//! - R17 swap exchange: [`command::ExchangeRequest::swap`], [`claim::HoldReason::AwaitingExchangePickup`]
//! - R18 Cafe24 line numbers: [`marketplace::MarketplaceProfile::exchange_replacement_lines`], [`Command::ResolveCafe24Exchange`]
//! - R19 Kakao Style lifecycle: [`exchange::ExchangeState`], [`exchange::KakaoExchange`]
//! - R20 Kakao Style reject: [`Command::RejectExchange`], [`exchange::ExchangeState::can_reject`]
//! - R21 exchange info, same product only: [`Command::EditExchange`], [`Refusal::ExchangeToOtherProduct`]
//! - R22 delay notices and lateness: [`Command::NoticeExchangeDelay`], [`exchange::KakaoExchange::becomes_late`]
//! - R23 exchange costs: [`exchange::ExchangeCost`]
//! - R24 replacement invoice in transit: [`Command::EditReplacementInvoice`]
//! - R25 cancel status words: [`marketplace::MarketplaceTable`], [`marketplace::MarketplaceProfile::cancel_status`]
//! - R26 match keys: [`marketplace::MatchRule`], [`cancel_sync::LineIndex`]
//! - R27 cancel, hold or keep: [`cancel_sync::match_cancels`], [`cancel_sync::CancelVerdict`]
//! - R28 invoice, print, scan to ship: [`Command::ScanToShip`], [`order::Line::ships`], [`marketplace::facts::commands_toward`]
//! - R29 invoice numbers back: [`order::InvoiceUpload`], [`Command::RecordInvoiceUpload`]
//! - R30 stock: [`stock::StockItem`], [`order::Line::allocated_quantity`]
//! - R31 history: [`event::Event`], [`history::of_order`]
//! - R32 delay days: [`delay::delay_days`]

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
pub mod invoice_list;
pub mod listing;
pub mod marketplace;
pub mod money;
pub mod order;
pub mod pickup;
pub mod refusal;
pub mod stock;
pub mod stored;
pub mod time;

pub use book::{Book, BulkOutcome, ReplayError};
pub use command::Command;
pub use context::{Actor, Ctx};
pub use event::{Change, Event};
pub use refusal::Refusal;
