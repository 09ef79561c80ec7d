//! Why a command was refused. A refused command changes nothing; the reason names what to do.
//!
//! Each refusal reads two ways: its `Display` is English, for logs and the API; [`Refusal::korean`]
//! (in `refusal/korean.rs`) is what the console shows the operator.

mod action;
mod korean;

pub use action::Action;

use crate::claim::{ClaimKind, ClaimProgress, HoldKind};
use crate::exchange::ExchangeState;
use crate::ids::{BundleId, ClaimId, LineId, OrderId, PickupId};
use crate::marketplace::MarketplaceCode;
use crate::order::{ClaimState, LineStatus};
use crate::pickup::PickupState;
use crate::stock::Sku;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A refusal, with enough detail for an operator to act on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    /// No order has this id.
    #[error("order {0} does not exist; it may not be collected yet — search again or collect now")]
    UnknownOrder(OrderId),
    /// The order has no such line.
    #[error(
        "order {order} has no line {line}; reload the order, it may have been split or merged"
    )]
    UnknownLine {
        /// The order.
        order: OrderId,
        /// The line asked for.
        line: LineId,
    },
    /// No claim has this id.
    #[error("claim {0} does not exist")]
    UnknownClaim(ClaimId),
    /// No pickup has this id.
    #[error("pickup {0} does not exist")]
    UnknownPickup(PickupId),
    /// No bundle has this id.
    #[error("bundle {0} does not exist")]
    UnknownBundle(BundleId),
    /// No stock item has this code.
    #[error("stock item {0} is not registered; register it under 재고 first")]
    UnknownSku(Sku),
    /// The marketplace is not in the console's table.
    #[error("marketplace {0} is not known to the console")]
    UnknownMarketplace(MarketplaceCode),
    /// No order carries this invoice number.
    #[error("no order has invoice number {0}; check the scan, or issue the invoice first")]
    UnknownInvoice(String),
    /// A new entity's id is already used.
    #[error("{what} id {id} is already taken; the client must pick a fresh id")]
    IdTaken {
        /// What kind of entity.
        what: String,
        /// The id.
        id: String,
    },
    /// The command names no lines, or an order with no lines.
    #[error("nothing selected: choose at least one line")]
    NothingSelected,
    /// A quantity of zero, or more than the line has.
    #[error("line {line}: quantity {asked} is not between 1 and {available}")]
    BadQuantity {
        /// The line.
        line: LineId,
        /// The quantity asked for.
        asked: u32,
        /// What the line has.
        available: u32,
    },
    /// The lifecycle does not allow this step from the line's status (R2).
    #[error("line {line} is {from}; it cannot be {action} from there")]
    IllegalTransition {
        /// The line.
        line: LineId,
        /// Its status.
        from: LineStatus,
        /// What was asked, in words.
        action: Action,
    },
    /// A held line can never be invoiced, printed or shipped (R11, R28).
    #[error("line {line} of order {order} is on hold ({hold:?}); resolve the hold first")]
    OnHold {
        /// The order.
        order: OrderId,
        /// The line.
        line: LineId,
        /// Which hold.
        hold: HoldKind,
    },
    /// A cancelled line, or one exchanged away before shipping, can never be invoiced, printed or
    /// shipped (R10, R28): the order has no other line.
    #[error("every line of order {0} is cancelled or exchanged away; there is nothing to ship")]
    AllCancelled(OrderId),
    /// The line's claim state does not allow this (for example a returned line cannot be returned).
    #[error("line {line} is {state}; {action} is not possible")]
    ClaimStateForbids {
        /// The line.
        line: LineId,
        /// Its CS state.
        state: ClaimState,
        /// What was asked.
        action: Action,
    },
    /// A claim is already open on the line.
    #[error("line {line} already has claim {claim} open; finish or withdraw it first")]
    ClaimAlreadyOpen {
        /// The line.
        line: LineId,
        /// The open claim.
        claim: ClaimId,
    },
    /// Cancel is for lines not yet shipped (R10).
    #[error("line {line} has shipped ({status}); open a return instead of a cancel")]
    CancelAfterShipping {
        /// The line.
        line: LineId,
        /// Its status.
        status: LineStatus,
    },
    /// Return and exchange are for shipped lines (R10).
    #[error("line {line} has not shipped ({status}); cancel it instead")]
    NotShippedYet {
        /// The line.
        line: LineId,
        /// Its status.
        status: LineStatus,
    },
    /// After purchase confirmation no return or exchange can be opened (R3).
    #[error("line {0} is purchase-confirmed (구매확정); no return or exchange can be opened")]
    PurchaseConfirmed(LineId),
    /// An order cancelled at its payment deadline can never be revived (R4).
    #[error("order {0} was cancelled at its payment deadline and cannot be revived; create a seller order (판매자 주문 생성) instead")]
    CannotRevive(OrderId),
    /// The order has no invoice yet.
    #[error("order {0} has no invoice yet; issue one first")]
    NoInvoice(OrderId),
    /// The order already has an invoice.
    #[error("order {order} already has invoice {tracking_no}; void it first to issue another")]
    InvoiceAlreadyIssued {
        /// The order.
        order: OrderId,
        /// Its invoice number.
        tracking_no: String,
    },
    /// The invoice number is used by another parcel.
    #[error("invoice number {tracking_no} is already used by order {order}")]
    TrackingNoInUse {
        /// The number.
        tracking_no: String,
        /// The order that has it.
        order: OrderId,
    },
    /// An empty carrier or invoice number.
    #[error("carrier and invoice number are both required")]
    MissingInvoiceNumber,
    /// Scan-to-ship needs a printed label (R28).
    #[error("the label of order {0} has not been printed; print it before shipping")]
    NotPrinted(OrderId),
    /// The address changed after the label was printed (R7, R28).
    #[error(
        "the delivery info of order {0} changed after its label was printed; print the label again"
    )]
    LabelOutdated(OrderId),
    /// The order is flagged never to be bundled (R6).
    #[error("order {0} is flagged 합포금지 (never bundle)")]
    NoBundle(OrderId),
    /// Orders for different recipients or addresses cannot share a parcel (R6).
    #[error("orders {0} and {1} go to different recipients or addresses and cannot be bundled")]
    DifferentDestination(OrderId, OrderId),
    /// A bundle needs at least two orders.
    #[error("a bundle needs at least two orders")]
    BundleTooSmall,
    /// The order is already in a bundle.
    #[error("order {order} is already in bundle {bundle}")]
    AlreadyBundled {
        /// The order.
        order: OrderId,
        /// Its bundle.
        bundle: BundleId,
    },
    /// Bundling, splitting and merging need orders that are still being prepared (R6, R8).
    #[error(
        "order {order} is {status}; only orders in 상품준비 without an invoice can be {action}"
    )]
    NotPreparing {
        /// The order.
        order: OrderId,
        /// Its status.
        status: LineStatus,
        /// What was asked.
        action: Action,
    },
    /// A split must leave at least one unit in the original order (R8).
    #[error("a split must leave at least one line in order {0}")]
    SplitTakesEverything(OrderId),
    /// Only orders split from one another can be merged (R8).
    #[error("orders {0} and {1} were not split from one another and cannot be merged")]
    NotSplitFamily(OrderId, OrderId),
    /// The claim is not under way.
    #[error("claim {claim} is {progress:?}; it can no longer be changed")]
    ClaimClosed {
        /// The claim.
        claim: ClaimId,
        /// Its progress.
        progress: ClaimProgress,
    },
    /// The claim is of another kind than the command expects.
    #[error("claim {claim} is a {actual:?} claim, not a {expected:?} claim")]
    WrongClaimKind {
        /// The claim.
        claim: ClaimId,
        /// What it is.
        actual: ClaimKind,
        /// What the command needs.
        expected: ClaimKind,
    },
    /// The Kakao Style exchange state does not allow this step (R19–R24).
    #[error("exchange {claim} is {state:?}; {action} is not possible there")]
    ExchangeStateForbids {
        /// The claim.
        claim: ClaimId,
        /// Its state.
        state: ExchangeState,
        /// What was asked.
        action: Action,
    },
    /// This command is only for Kakao Style exchanges.
    #[error("claim {0} is not a Kakao Style exchange")]
    NotKakaoExchange(ClaimId),
    /// A reject needs a reason (R20).
    #[error("a reject needs a reason the buyer will read")]
    ReasonRequired,
    /// At most two delay notices (R22).
    #[error("exchange {0} has been delayed twice already; no more delay notices are allowed")]
    TooManyDelayNotices(ClaimId),
    /// A delay's due date is at most 15 days after the notice and in the future (R22).
    #[error("the new due date {due} must be after now and at most 15 days after the notice (by {latest})")]
    DueDateOutOfRange {
        /// The date asked.
        due: DateTime<Utc>,
        /// The latest allowed.
        latest: DateTime<Utc>,
    },
    /// An exchange changes the option of the same product only (R21).
    #[error("an exchange changes the option of the same product only; for another product, take a return and a new order")]
    ExchangeToOtherProduct,
    /// A replacement must be given for each exchanged line.
    #[error("line {0} has no replacement; choose the option to send")]
    ReplacementMissing(LineId),
    /// The line does not need a manual Cafe24 exchange (R18).
    #[error("claim {0} is not a Cafe24 exchange waiting for manual handling")]
    NotManualExchange(ClaimId),
    /// The pickup is not in a state that allows this.
    #[error("pickup {pickup} is {state:?}; {action} is not possible")]
    PickupStateForbids {
        /// The pickup.
        pickup: PickupId,
        /// Its state.
        state: PickupState,
        /// What was asked.
        action: Action,
    },
    /// More units restocked than arrived.
    #[error("line {line}: only {arrivable} arrived units are left to restock, not {asked}")]
    RestockTooMany {
        /// The line.
        line: LineId,
        /// Asked.
        asked: u32,
        /// Left.
        arrivable: u32,
    },
    /// The line is not part of this pickup or claim.
    #[error("line {line} is not part of {what}")]
    LineNotInClaim {
        /// The line.
        line: LineId,
        /// The claim or pickup.
        what: String,
    },
    /// A returned exchange needs its pickup plan (R13–R15).
    #[error("a return or a non-swap exchange needs a pickup plan, or 'complete at once'")]
    PickupPlanRequired,
    /// The engine found its own state inconsistent (a bug, not the operator's doing).
    #[error("internal inconsistency: {0}; reload the console and report this")]
    Inconsistent(String),
    /// The order was collected already (same marketplace order and line keys).
    #[error("order {order_no} of {marketplace} is already in the console as order {existing}")]
    AlreadyCollected {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// 주문번호.
        order_no: String,
        /// The console's order.
        existing: OrderId,
    },
    /// No invoice number waits to be sent for this order (R29).
    #[error("order {0} has no invoice number waiting to be sent to the marketplace")]
    NothingToUpload(OrderId),
    /// The block of ids given with the command is too small for what it creates.
    #[error("the id block given is used up; reserve a larger block and run the command again")]
    IdBlockUsedUp,
    /// A marketplace claim names no line of the console (kept by the caller with its raw body).
    #[error("the {marketplace} claim for order {order_no} matches no line in the console; collect the order first")]
    ClaimMatchesNothing {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// Its 주문번호.
        order_no: String,
    },
    /// An exchange whose replacement order exists cannot be withdrawn before that order is dealt
    /// with.
    #[error("exchange {claim} already has replacement order {order}; cancel that order first")]
    ReplacementOrderExists {
        /// The claim.
        claim: ClaimId,
        /// The replacement order.
        order: OrderId,
    },
    /// Taking part of a line's quantity needs an id for the part.
    #[error("line {0}: taking part of its quantity needs an id for the new line")]
    PartNeedsLineId(LineId),
    /// A Cafe24 exchange whose line number changed must be run with the Cafe24 command (R18).
    #[error("claim {0} is a Cafe24 exchange whose line number changed: choose 'console only' or 'both' to run it")]
    ManualExchangeRequired(ClaimId),
    /// New lines under an order number already collected, on a marketplace whose exchanges change
    /// the line number (Cafe24): they are an exchange's replacement lines, and collecting them
    /// would ship the replacement twice (R18). The operator runs the exchange in the console
    /// (manual exchange) on the original line.
    #[error(
        "order {order_no} of {marketplace} is already in the console: its new line(s) {} are an \
         exchange's replacement (the exchange changed the line number) and are not collected, so \
         the replacement is not shipped twice; run the exchange in the console (manual exchange) \
         on the original line",
        .lines.join(", ")
    )]
    ExchangeLinesOfCollectedOrder {
        /// The marketplace.
        marketplace: MarketplaceCode,
        /// 주문번호.
        order_no: String,
        /// The new lines, by their line number (or product name and option where the marketplace
        /// sent none).
        lines: Vec<String>,
    },
    /// An exchange of lines still in the warehouse picks nothing up and charges no shipping
    /// (R10: 배송전 교환).
    #[error(
        "line {line} has not shipped ({status}): an exchange before shipping picks nothing up \
         and charges no shipping fee; leave out the pickup and the fee"
    )]
    NothingToPickUp {
        /// The line.
        line: LineId,
        /// Its status.
        status: LineStatus,
    },
    /// The order keeps no such request reported after purchase confirmation (R3).
    #[error("order {order} has no return or exchange request {request} reported after purchase confirmation")]
    UnknownClaimAfterConfirmation {
        /// The order.
        order: OrderId,
        /// The request asked for.
        request: ClaimId,
    },
}
