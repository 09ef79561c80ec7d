//! Claims (R9–R18): holds, cancel, return, exchange (CASE1, CASE2, swap, Kakao Style, Cafe24),
//! claims collected from marketplaces, withdrawals.

use super::Book;
use crate::cancel_sync::LineRef;
use crate::claim::{
    Claim, ClaimKind, ClaimLine, ClaimProgress, ClaimSource, Hold, HoldKind, HoldReason,
    LineSnapshot,
};
use crate::command::{
    ClaimRequest, CollectedClaim, ExchangeRequest, ReplacementRequest, ReturnRequest,
};
use crate::context::Ctx;
use crate::event::Change;
use crate::exchange::{
    Cafe24ExchangeMode, ExchangeDetails, ExchangeFlow, KakaoExchange, Replacement,
};
use crate::ids::{ClaimId, LineId, OrderId};
use crate::money::Won;
use crate::order::{
    ClaimState, InvoiceUpload, Line, LineStatus, Order, OrderDates, OrderOrigin, Payment,
};
use crate::pickup::{Pickup, PickupLine, PickupPlan, PickupState};
use crate::refusal::Refusal;

/// What a claim request resolved to: an existing marketplace claim to process, or a new one.
struct Resolved<'b> {
    /// Changes that must come first (line divisions).
    before: Vec<Change>,
    /// The claimed lines: (the line id the claim covers, the line as it is now).
    lines: Vec<(LineId, &'b Line)>,
    /// The marketplace claim being processed, if any.
    existing: Option<&'b Claim>,
}

impl Book {
    /// Whether a claim is still under way.
    pub fn claim_is_active(&self, claim: ClaimId) -> bool {
        self.claims
            .get(&claim)
            .is_some_and(|c| c.progress.is_active())
    }

    pub(super) fn decide_place_hold(
        &self,
        id: OrderId,
        lines: &[LineId],
        reason: &str,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        let chosen = pick_lines(order, lines)?;
        let at: Vec<LineRef> = chosen
            .iter()
            .filter(|l| l.hold.is_none() && l.ships() && !l.status.is_shipped())
            .map(|l| LineRef {
                order: id,
                line: l.id,
            })
            .collect();
        if at.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![Change::HoldPlaced {
            at,
            hold: Hold {
                kind: HoldKind::Operator,
                reason: HoldReason::Operator(reason.trim().to_owned()),
                since: ctx.now,
            },
        }])
    }

    pub(super) fn decide_release_hold(
        &self,
        id: OrderId,
        lines: &[LineId],
    ) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        let chosen = pick_lines(order, lines)?;
        // One event per distinct hold, so the history says which hold was released.
        let mut changes: Vec<Change> = Vec::new();
        for line in chosen {
            let Some(hold) = &line.hold else { continue };
            let at = LineRef {
                order: id,
                line: line.id,
            };
            match changes.iter_mut().find_map(|c| match c {
                Change::HoldReleased { at, hold: h } if h == hold => Some(at),
                _ => None,
            }) {
                Some(group) => group.push(at),
                None => changes.push(Change::HoldReleased {
                    at: vec![at],
                    hold: hold.clone(),
                }),
            }
        }
        Ok(changes)
    }

    /// Resolves a claim request: processing a requested marketplace claim (its id given), or
    /// opening a new one on picked lines and quantities (R9).
    fn resolve_claim<'b>(&'b self, request: &ClaimRequest) -> Result<Resolved<'b>, Refusal> {
        let order = self.order(request.order)?;
        if let Some(existing) = self.claims.get(&request.claim) {
            if existing.progress != ClaimProgress::Requested {
                return Err(Refusal::ClaimClosed {
                    claim: existing.id,
                    progress: existing.progress,
                });
            }
            if existing.order != request.order {
                return Err(Refusal::IdTaken {
                    what: "claim".into(),
                    id: existing.id.to_string(),
                });
            }
            let lines = existing
                .lines
                .iter()
                .map(|l| {
                    order
                        .line(l.line)
                        .map(|line| (l.line, line))
                        .ok_or(Refusal::UnknownLine {
                            order: order.id,
                            line: l.line,
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Resolved {
                before: Vec::new(),
                lines,
                existing: Some(existing),
            });
        }
        let (lines, before) = self.resolve_picks(order, &request.lines)?;
        for (_, line) in &lines {
            if let Some(claim) = line.claim.filter(|c| self.claim_is_active(*c)) {
                return Err(Refusal::ClaimAlreadyOpen {
                    line: line.id,
                    claim,
                });
            }
        }
        Ok(Resolved {
            before,
            lines,
            existing: None,
        })
    }

    /// A new claim on resolved lines.
    #[allow(clippy::too_many_arguments)]
    fn new_claim(
        &self,
        request: &ClaimRequest,
        kind: ClaimKind,
        lines: &[(LineId, &Line)],
        source: ClaimSource,
        progress: ClaimProgress,
        hold: Option<Hold>,
        ctx: &Ctx,
    ) -> Claim {
        Claim {
            id: request.claim,
            order: request.order,
            kind,
            lines: lines
                .iter()
                .map(|(id, line)| ClaimLine {
                    line: *id,
                    quantity: request
                        .lines
                        .iter()
                        .find(|p| p.line == line.id)
                        .map(|p| p.quantity)
                        .unwrap_or(line.quantity),
                    before: snapshot(line),
                })
                .collect(),
            reason: request.reason.clone(),
            fault: request.fault,
            memo: request.memo.clone(),
            source,
            opened_by: ctx.actor.clone(),
            opened_at: ctx.now,
            progress,
            hold,
            closed_at: None,
            pickup: None,
            exchange: None,
            converted_from_exchange: false,
        }
    }

    /// Processing a requested marketplace claim accepts it (converted first when a CASE2
    /// exchange is taken as a cancel or return, R16); otherwise a new claim opens.
    fn accept_or_open(
        &self,
        resolved: &Resolved<'_>,
        request: &ClaimRequest,
        kind: ClaimKind,
        converted: bool,
        ctx: &Ctx,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        match resolved.existing {
            Some(existing) => {
                if existing.kind != kind {
                    changes.push(Change::ClaimConverted {
                        claim: existing.id,
                        order: existing.order,
                        to: kind,
                    });
                }
                changes.push(Change::ClaimAccepted {
                    claim: existing.id,
                    order: existing.order,
                });
            }
            None => {
                let mut claim = self.new_claim(
                    request,
                    kind,
                    &resolved.lines,
                    ClaimSource::Operator,
                    ClaimProgress::Open,
                    None,
                    ctx,
                );
                claim.converted_from_exchange = converted;
                changes.push(Change::ClaimOpened(Box::new(claim)));
            }
        }
        changes
    }

    pub(super) fn decide_cancel(
        &self,
        request: &ClaimRequest,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        self.decide_cancel_as(request, ctx, false)
    }

    fn decide_cancel_as(
        &self,
        request: &ClaimRequest,
        ctx: &Ctx,
        converted: bool,
    ) -> Result<Vec<Change>, Refusal> {
        let mut resolved = self.resolve_claim(request)?;
        if let Some(existing) = resolved.existing {
            if existing.kind != ClaimKind::Cancel && !converted {
                return Err(Refusal::WrongClaimKind {
                    claim: existing.id,
                    actual: existing.kind,
                    expected: ClaimKind::Cancel,
                });
            }
        }
        for (_, line) in &resolved.lines {
            check_cancellable(line)?;
        }
        let mut changes = std::mem::take(&mut resolved.before);
        let order = self.order(request.order)?;
        // Cancelling every remaining line of an unbundled, invoiced order voids its invoice first.
        let cancelling: Vec<LineId> = resolved.lines.iter().map(|(_, l)| l.id).collect();
        let all_go = order
            .shipping_lines()
            .all(|l| cancelling.contains(&l.id) && request_takes_whole(request, l));
        if all_go && order.bundle.is_none() {
            if let Some(invoice) = &order.invoice {
                changes.push(Change::InvoiceVoided {
                    orders: vec![order.id],
                    invoice: invoice.clone(),
                });
            }
        }
        changes.extend(self.accept_or_open(&resolved, request, ClaimKind::Cancel, converted, ctx));
        changes.push(Change::ClaimCompleted {
            claim: request.claim,
            order: request.order,
        });
        Ok(changes)
    }

    pub(super) fn decide_return(
        &self,
        request: &ReturnRequest,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        self.decide_return_as(request, ctx, false)
    }

    fn decide_return_as(
        &self,
        request: &ReturnRequest,
        ctx: &Ctx,
        converted: bool,
    ) -> Result<Vec<Change>, Refusal> {
        let claim_request = &request.claim;
        let mut resolved = self.resolve_claim(claim_request)?;
        if let Some(existing) = resolved.existing {
            let allowed = existing.kind == ClaimKind::Return
                || (converted && existing.kind == ClaimKind::Exchange);
            if !allowed {
                return Err(Refusal::WrongClaimKind {
                    claim: existing.id,
                    actual: existing.kind,
                    expected: ClaimKind::Return,
                });
            }
        }
        for (_, line) in &resolved.lines {
            check_returnable(line)?;
        }
        if request.pickup.is_none() && !request.complete_at_once {
            return Err(Refusal::PickupPlanRequired);
        }
        let mut changes = std::mem::take(&mut resolved.before);
        changes.extend(self.accept_or_open(
            &resolved,
            claim_request,
            ClaimKind::Return,
            converted,
            ctx,
        ));
        if request.complete_at_once {
            changes.push(Change::ClaimCompleted {
                claim: claim_request.claim,
                order: claim_request.order,
            });
        } else if let Some(plan) = &request.pickup {
            changes.push(self.pickup_created(
                plan,
                claim_request.claim,
                claim_request.order,
                &resolved.lines,
                ctx,
            )?);
        }
        Ok(changes)
    }

    /// The pickup of the goods of `lines` (R13, R14).
    fn pickup_created(
        &self,
        plan: &PickupPlan,
        claim: ClaimId,
        order: OrderId,
        lines: &[(LineId, &Line)],
        ctx: &Ctx,
    ) -> Result<Change, Refusal> {
        if self.pickups.contains_key(&plan.id) {
            return Err(Refusal::IdTaken {
                what: "pickup".into(),
                id: plan.id.to_string(),
            });
        }
        Ok(Change::PickupCreated(Box::new(Pickup {
            id: plan.id,
            claim,
            order,
            state: PickupState::Expected,
            plan: plan.clone(),
            lines: lines
                .iter()
                .map(|(id, line)| PickupLine {
                    line: *id,
                    expected: line.quantity,
                    arrived: 0,
                    restocked: 0,
                })
                .collect(),
            registered_at: ctx.now,
            arrived_at: None,
        })))
    }

    pub(super) fn decide_exchange(
        &self,
        request: &ExchangeRequest,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let order = self.order(request.claim.order)?;
        let profile = self.profile(&order.marketplace)?;
        if let Some(existing) = self.claims.get(&request.claim.claim) {
            if matches!(
                existing.hold.as_ref().map(|h| &h.reason),
                Some(HoldReason::ManualExchangeRequired(_))
            ) {
                return Err(Refusal::ManualExchangeRequired(existing.id));
            }
        }
        match profile.exchange_flow {
            ExchangeFlow::Case2 => self.decide_exchange_as_case2(request, order, ctx),
            ExchangeFlow::Case1 | ExchangeFlow::KakaoStyle => {
                let kakao = profile.exchange_flow == ExchangeFlow::KakaoStyle;
                self.decide_exchange_in_console(request, ctx, kakao)
            }
        }
    }

    /// CASE2 (R16): the marketplace creates the replacement order itself, so the console takes
    /// the original lines back as a cancel (not shipped) or a return (shipped), never shipping the
    /// replacement twice.
    fn decide_exchange_as_case2(
        &self,
        request: &ExchangeRequest,
        order: &Order,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let shipped = request
            .claim
            .lines
            .iter()
            .filter_map(|p| order.line(p.line))
            .chain(
                self.claims
                    .get(&request.claim.claim)
                    .into_iter()
                    .flat_map(|c| c.lines.iter())
                    .filter_map(|l| order.line(l.line)),
            )
            .any(|l| l.status.is_shipped());
        if shipped {
            let as_return = ReturnRequest {
                claim: request.claim.clone(),
                pickup: request.pickup.clone(),
                complete_at_once: false,
            };
            self.decide_return_as(&as_return, ctx, true)
        } else {
            self.decide_cancel_as(&request.claim, ctx, true)
        }
    }

    /// CASE1 (R15), swap (R17) and Kakao Style (R19, R21) exchanges made in the console.
    fn decide_exchange_in_console(
        &self,
        request: &ExchangeRequest,
        ctx: &Ctx,
        kakao: bool,
    ) -> Result<Vec<Change>, Refusal> {
        let mut resolved = self.resolve_claim(&request.claim)?;
        if let Some(existing) = resolved.existing {
            if existing.kind != ClaimKind::Exchange {
                return Err(Refusal::WrongClaimKind {
                    claim: existing.id,
                    actual: existing.kind,
                    expected: ClaimKind::Exchange,
                });
            }
        }
        for (_, line) in &resolved.lines {
            check_returnable(line)?;
        }
        let original = self.order(request.claim.order)?;
        let replacements =
            replacements_for(&request.claim, &resolved.lines, &request.replacements)?;
        if kakao {
            for (replacement, (_, line)) in replacements.iter().zip(&resolved.lines) {
                if replacement.product_name.trim() != line.product_name.trim() {
                    return Err(Refusal::ExchangeToOtherProduct);
                }
            }
        } else if request.pickup.is_none() {
            return Err(Refusal::PickupPlanRequired);
        }
        let details = ExchangeDetails {
            flow: if kakao {
                ExchangeFlow::KakaoStyle
            } else {
                ExchangeFlow::Case1
            },
            swap: request.swap,
            replacement_order: (!kakao).then_some(request.exchange_order),
            replacements: replacements.clone(),
            shipping_fee_one_way: request.shipping_fee_one_way,
            payment: request.payment,
            kakao: kakao.then(|| {
                let mut exchange = KakaoExchange::requested(
                    resolved
                        .lines
                        .first()
                        .map(|(_, l)| l.status)
                        .unwrap_or(LineStatus::Delivered),
                );
                // Made in the console, the request is accepted as it is made.
                exchange.state = crate::exchange::ExchangeState::PickingUp;
                exchange
            }),
            cafe24_mode: None,
            notice_recommended: false,
        };
        let mut changes = std::mem::take(&mut resolved.before);
        match resolved.existing {
            Some(existing) => {
                changes.push(Change::ClaimAccepted {
                    claim: existing.id,
                    order: existing.order,
                });
                changes.push(Change::ExchangeArranged {
                    claim: existing.id,
                    order: existing.order,
                    details: Box::new(details),
                });
            }
            None => {
                let mut claim = self.new_claim(
                    &request.claim,
                    ClaimKind::Exchange,
                    &resolved.lines,
                    ClaimSource::Operator,
                    ClaimProgress::Open,
                    None,
                    ctx,
                );
                claim.exchange = Some(details);
                changes.push(Change::ClaimOpened(Box::new(claim)));
            }
        }
        if !kakao {
            changes.push(self.replacement_order(
                original,
                &resolved.lines,
                request.claim.claim,
                request.exchange_order,
                &replacements,
                &request.replacements,
                request.swap,
                InvoiceUpload::NotDue,
                ctx,
            )?);
            if let Some(plan) = &request.pickup {
                changes.push(self.pickup_created(
                    plan,
                    request.claim.claim,
                    request.claim.order,
                    &resolved.lines,
                    ctx,
                )?);
            }
        }
        Ok(changes)
    }

    /// The replacement order of a CASE1 or Cafe24 exchange (R15, R18): ships like any order; a
    /// non-swap replacement is held until the old item is back (R17).
    #[allow(clippy::too_many_arguments)]
    fn replacement_order(
        &self,
        original: &Order,
        claimed: &[(LineId, &Line)],
        claim: ClaimId,
        id: OrderId,
        replacements: &[Replacement],
        requests: &[ReplacementRequest],
        swap: bool,
        upload: InvoiceUpload,
        ctx: &Ctx,
    ) -> Result<Change, Refusal> {
        self.check_new_order_id(id)?;
        let hold = (!swap).then_some(Hold {
            kind: HoldKind::Exchange,
            reason: HoldReason::AwaitingExchangePickup(claim),
            since: ctx.now,
        });
        let mut lines = Vec::new();
        for replacement in replacements {
            self.check_new_line_id(replacement.new_line)?;
            // The claimed line as it is now: a divided part exists only once this decision applies.
            let old = claimed
                .iter()
                .find(|(id, _)| *id == replacement.for_line)
                .map(|(_, line)| *line);
            let keys = requests
                .iter()
                .find(|r| r.new_line == replacement.new_line)
                .and_then(|r| r.keys.clone())
                .or_else(|| old.map(|l| l.keys.clone()))
                .unwrap_or_default();
            let base_price = old
                .map(|l| l.unit_price - l.option_price)
                .unwrap_or(Won::ZERO);
            lines.push(Line {
                id: replacement.new_line,
                sku: self
                    .stock
                    .linked(&crate::stock::ProductKey {
                        marketplace: original.marketplace.clone(),
                        product: keys
                            .product_code
                            .clone()
                            .unwrap_or_else(|| replacement.product_name.clone()),
                        option: replacement.option.clone(),
                    })
                    .cloned(),
                keys,
                product_name: replacement.product_name.clone(),
                option: replacement.option.clone(),
                quantity: replacement.quantity,
                unit_price: base_price + replacement.option_price,
                option_price: replacement.option_price,
                status: LineStatus::Preparing,
                claim_state: ClaimState::Normal,
                hold: hold.clone(),
                claim: None,
                split_of: None,
            });
        }
        Ok(Change::OrderCreated(Box::new(Order {
            id,
            marketplace: original.marketplace.clone(),
            order_no: original.order_no.clone(),
            origin: OrderOrigin::Exchange {
                original: original.id,
                claim,
            },
            payment: Payment::Paid,
            dates: OrderDates {
                registered_at: ctx.now,
                ordered_at: ctx.now,
                paid_at: Some(ctx.now),
                shipped_at: None,
                delivered_at: None,
                confirmed_at: None,
                cancelled_at: None,
            },
            delivery: original.delivery.clone(),
            lines,
            bundle: None,
            no_bundle: false,
            partial_shipping: false,
            invoice: None,
            invoice_upload: upload,
            memos: Vec::new(),
        })))
    }

    pub(super) fn decide_collect_claim(
        &self,
        collected: &CollectedClaim,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let profile = self.profile(&collected.marketplace)?;
        let (found, _) = self
            .find_lines(&collected.marketplace, &collected.keys)
            .ok_or_else(|| Refusal::ClaimMatchesNothing {
                marketplace: collected.marketplace.clone(),
                order_no: collected.keys.order_no.clone(),
            })?;
        // The first order the keys name; a claim covers the lines of one order.
        let order_id = found[0].order;
        let order = self.order(order_id)?;
        let lines: Vec<&Line> = found
            .iter()
            .filter(|r| r.order == order_id)
            .filter_map(|r| order.line(r.line))
            .collect();
        // A repeated sync of a claim already here changes nothing.
        let repeated = lines.iter().any(|line| {
            line.claim
                .and_then(|c| self.claims.get(&c))
                .is_some_and(|c| {
                    c.kind == collected.kind
                        && c.progress.is_active()
                        && matches!(&c.source, ClaimSource::Marketplace { claim_no, .. } if *claim_no == collected.claim_no)
                })
        });
        if repeated {
            return Ok(Vec::new());
        }
        if self.claims.contains_key(&collected.claim) {
            return Err(Refusal::IdTaken {
                what: "claim".into(),
                id: collected.claim.to_string(),
            });
        }
        let mut changes = Vec::new();
        let mut claimed: Vec<(LineId, &Line)> = Vec::new();
        for line in lines {
            if let Some(claim) = line.claim.filter(|c| self.claim_is_active(*c)) {
                return Err(Refusal::ClaimAlreadyOpen {
                    line: line.id,
                    claim,
                });
            }
            if line.claim_state == ClaimState::Cancelled {
                continue;
            }
            claimed.push((line.id, line));
        }
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        // A claim on part of a single line divides it, when the sync gave an id for the part.
        if let (Some(units), [(id, line)], Some(new_line)) =
            (collected.quantity, claimed.as_slice(), collected.split_line)
        {
            if units > 0 && units < line.quantity {
                self.check_new_line_id(new_line)?;
                changes.push(Change::LineDivided {
                    order: order_id,
                    line: *id,
                    new_line,
                    quantity: units,
                });
                claimed = vec![(new_line, *line)];
            }
        }
        let manual = collected.kind == ClaimKind::Exchange && profile.line_no_changes_on_exchange;
        let hold = Hold {
            kind: collected.kind.hold_kind(),
            reason: if manual {
                HoldReason::ManualExchangeRequired(collected.claim)
            } else {
                HoldReason::MarketplaceClaim(collected.claim)
            },
            since: ctx.now,
        };
        let request = ClaimRequest {
            claim: collected.claim,
            order: order_id,
            lines: Vec::new(),
            reason: collected.reason.clone(),
            fault: collected.fault,
            memo: String::new(),
        };
        let mut claim = self.new_claim(
            &request,
            collected.kind,
            &claimed,
            ClaimSource::Marketplace {
                status: collected.status.clone(),
                claim_no: collected.claim_no.clone(),
            },
            ClaimProgress::Requested,
            Some(hold),
            ctx,
        );
        if let Some(units) = collected.quantity {
            if let [only] = claim.lines.as_mut_slice() {
                only.quantity = units.min(only.quantity);
            }
        }
        if collected.kind == ClaimKind::Exchange
            && profile.exchange_flow == ExchangeFlow::KakaoStyle
        {
            let delivery_before = claimed
                .first()
                .map(|(_, l)| l.status)
                .unwrap_or(LineStatus::Delivered);
            claim.exchange = Some(ExchangeDetails {
                flow: ExchangeFlow::KakaoStyle,
                swap: false,
                replacement_order: None,
                replacements: claimed
                    .iter()
                    .map(|(id, line)| Replacement {
                        for_line: *id,
                        new_line: *id,
                        product_name: line.product_name.clone(),
                        option: collected
                            .requested_option
                            .clone()
                            .unwrap_or_else(|| line.option.clone()),
                        option_price: line.option_price,
                        quantity: line.quantity,
                    })
                    .collect(),
                shipping_fee_one_way: Won::ZERO,
                payment: crate::claim::FeePayment::Enclosed,
                kakao: Some(KakaoExchange::requested(delivery_before)),
                cafe24_mode: None,
                notice_recommended: false,
            });
        }
        changes.push(Change::ClaimOpened(Box::new(claim)));
        Ok(changes)
    }

    pub(super) fn decide_withdraw(&self, id: ClaimId) -> Result<Vec<Change>, Refusal> {
        let claim = self.claim(id)?;
        let synced_cancel = claim.kind == ClaimKind::Cancel
            && matches!(claim.source, ClaimSource::Marketplace { .. })
            && claim.progress == ClaimProgress::Completed;
        if claim.reason == crate::claim::Reason::PaymentDeadline {
            return Err(Refusal::CannotRevive(claim.order));
        }
        if !claim.progress.is_active() && !synced_cancel {
            return Err(Refusal::ClaimClosed {
                claim: id,
                progress: claim.progress,
            });
        }
        if let Some(details) = &claim.exchange {
            if let Some(kakao) = &details.kakao {
                if !kakao.state.can_reject() {
                    return Err(Refusal::ExchangeStateForbids {
                        claim: id,
                        state: kakao.state,
                        action: "withdrawing".into(),
                    });
                }
            }
            if let Some(order) = details
                .replacement_order
                .filter(|o| self.orders.contains_key(o))
            {
                return Err(Refusal::ReplacementOrderExists { claim: id, order });
            }
        }
        if let Some(pickup) = claim.pickup.and_then(|p| self.pickups.get(&p)) {
            if pickup.state.has_arrived() {
                return Err(Refusal::PickupStateForbids {
                    pickup: pickup.id,
                    state: pickup.state,
                    action: "withdrawing the claim (the goods are back)".into(),
                });
            }
        }
        Ok(vec![self.undo_claim(
            claim,
            crate::claim::ClaimProgress::Withdrawn,
            None,
        )?])
    }

    /// The change that puts a claim's lines back exactly where they were (R12, R20). Claims do not
    /// move a line's 주문상태, so its status stays what it is now.
    pub(super) fn undo_claim(
        &self,
        claim: &Claim,
        progress: ClaimProgress,
        reason: Option<String>,
    ) -> Result<Change, Refusal> {
        let order = self.order(claim.order)?;
        let restored = claim
            .lines
            .iter()
            .filter_map(|l| order.line(l.line).map(|line| (l, line)))
            .map(|(claimed, line)| {
                (
                    claimed.line,
                    LineSnapshot {
                        status: line.status,
                        claim_state: claimed.before.claim_state,
                        hold: claimed.before.hold.clone(),
                    },
                )
            })
            .collect();
        Ok(Change::ClaimClosedUndone {
            claim: claim.id,
            order: claim.order,
            progress,
            reason,
            restored,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn decide_cafe24_exchange(
        &self,
        id: ClaimId,
        mode: Cafe24ExchangeMode,
        exchange_order: OrderId,
        replacements: &[ReplacementRequest],
        swap: bool,
        pickup: Option<&PickupPlan>,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let claim = self.claim(id)?;
        let manual = claim.progress == ClaimProgress::Requested
            && matches!(
                claim.hold.as_ref().map(|h| &h.reason),
                Some(HoldReason::ManualExchangeRequired(_))
            );
        if !manual {
            return Err(Refusal::NotManualExchange(id));
        }
        if pickup.is_none() {
            return Err(Refusal::PickupPlanRequired);
        }
        let original = self.order(claim.order)?;
        let lines: Vec<(LineId, &Line)> = claim
            .lines
            .iter()
            .filter_map(|l| original.line(l.line).map(|line| (l.line, line)))
            .collect();
        let request = ClaimRequest {
            claim: id,
            order: claim.order,
            lines: Vec::new(),
            reason: claim.reason.clone(),
            fault: claim.fault,
            memo: claim.memo.clone(),
        };
        let replaced = replacements_for(&request, &lines, replacements)?;
        let upload = match mode {
            Cafe24ExchangeMode::ConsoleOnly => InvoiceUpload::NotDue,
            Cafe24ExchangeMode::Both => InvoiceUpload::Manual,
        };
        let mut changes = vec![
            Change::ClaimAccepted {
                claim: id,
                order: claim.order,
            },
            Change::ExchangeArranged {
                claim: id,
                order: claim.order,
                details: Box::new(ExchangeDetails {
                    flow: ExchangeFlow::Case1,
                    swap,
                    replacement_order: Some(exchange_order),
                    replacements: replaced.clone(),
                    shipping_fee_one_way: Won::ZERO,
                    payment: crate::claim::FeePayment::Enclosed,
                    kakao: None,
                    cafe24_mode: None,
                    notice_recommended: false,
                }),
            },
            Change::Cafe24ExchangeResolved {
                claim: id,
                order: claim.order,
                mode,
            },
            self.replacement_order(
                original,
                &lines,
                id,
                exchange_order,
                &replaced,
                replacements,
                swap,
                upload,
                ctx,
            )?,
        ];
        if let Some(plan) = pickup {
            changes.push(self.pickup_created(plan, id, claim.order, &lines, ctx)?);
        }
        Ok(changes)
    }
}

/// The lines an operator named, or every line when none are named.
fn pick_lines<'o>(order: &'o Order, lines: &[LineId]) -> Result<Vec<&'o Line>, Refusal> {
    if lines.is_empty() {
        return Ok(order.lines.iter().collect());
    }
    lines
        .iter()
        .map(|id| {
            order.line(*id).ok_or(Refusal::UnknownLine {
                order: order.id,
                line: *id,
            })
        })
        .collect()
}

/// A line as it is now, to put it back later.
fn snapshot(line: &Line) -> LineSnapshot {
    LineSnapshot {
        status: line.status,
        claim_state: line.claim_state,
        hold: line.hold.clone(),
    }
}

/// Whether the request claims the whole of this line.
fn request_takes_whole(request: &ClaimRequest, line: &Line) -> bool {
    request.lines.is_empty()
        || request
            .lines
            .iter()
            .any(|p| p.line == line.id && p.quantity == line.quantity)
}

/// R10: cancel is for lines not yet shipped.
fn check_cancellable(line: &Line) -> Result<(), Refusal> {
    if line.status.is_shipped() {
        return Err(Refusal::CancelAfterShipping {
            line: line.id,
            status: line.status,
        });
    }
    if line.claim_state != ClaimState::Normal {
        return Err(Refusal::ClaimStateForbids {
            line: line.id,
            state: line.claim_state,
            action: "cancelling".into(),
        });
    }
    Ok(())
}

/// R10 and R3: return and exchange are for shipped lines, never after purchase confirmation.
fn check_returnable(line: &Line) -> Result<(), Refusal> {
    if line.status == LineStatus::PurchaseConfirmed {
        return Err(Refusal::PurchaseConfirmed(line.id));
    }
    if !line.status.is_shipped() {
        return Err(Refusal::NotShippedYet {
            line: line.id,
            status: line.status,
        });
    }
    if !matches!(
        line.claim_state,
        ClaimState::Normal | ClaimState::Returning | ClaimState::Exchanging
    ) {
        return Err(Refusal::ClaimStateForbids {
            line: line.id,
            state: line.claim_state,
            action: "returning or exchanging".into(),
        });
    }
    Ok(())
}

/// One replacement per claimed line, in the claimed lines' order.
fn replacements_for(
    request: &ClaimRequest,
    lines: &[(LineId, &Line)],
    asked: &[ReplacementRequest],
) -> Result<Vec<Replacement>, Refusal> {
    lines
        .iter()
        .map(|(claimed, line)| {
            let quantity = request
                .lines
                .iter()
                .find(|p| p.line == line.id)
                .map(|p| p.quantity)
                .unwrap_or(line.quantity);
            asked
                .iter()
                .find(|r| r.for_line == line.id || r.for_line == *claimed)
                .map(|r| Replacement {
                    for_line: *claimed,
                    new_line: r.new_line,
                    product_name: r.product_name.clone(),
                    option: r.option.clone(),
                    option_price: r.option_price,
                    quantity,
                })
                .ok_or(Refusal::ReplacementMissing(line.id))
        })
        .collect()
}
