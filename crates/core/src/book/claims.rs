//! Claims (R9–R18): holds, cancel, return, exchange (CASE1, CASE2, swap, Kakao Style, Cafe24),
//! claims collected from marketplaces, withdrawals.

use super::Book;
use crate::cancel_sync::LineRef;
use crate::claim::{
    Claim, ClaimAfterConfirmation, ClaimKind, ClaimLine, ClaimProgress, ClaimSource, Hold,
    HoldKind, HoldReason, LineSnapshot,
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
use crate::refusal::{Action, Refusal};

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
                    quantity: units_of(request, line),
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
                &claimed_units(&resolved, claim_request),
                ctx,
            )?);
        }
        Ok(changes)
    }

    /// The pickup of the claimed units (R13, R14): it expects exactly what the claim names, so
    /// that a partial return completes when those units arrive.
    fn pickup_created(
        &self,
        plan: &PickupPlan,
        claim: ClaimId,
        order: OrderId,
        units: &[(LineId, u32)],
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
            lines: units
                .iter()
                .map(|(line, expected)| PickupLine {
                    line: *line,
                    expected: *expected,
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
        if resolved.lines.iter().all(|(_, l)| !l.status.is_shipped()) {
            return self.decide_exchange_before_shipping(request, resolved, ctx, kakao);
        }
        for (_, line) in &resolved.lines {
            check_returnable(line)?;
        }
        let original = self.order(request.claim.order)?;
        let units = claimed_units(&resolved, &request.claim);
        let replacements = replacements_for(&units, &resolved.lines, &request.replacements)?;
        if kakao {
            check_same_product(&replacements, &resolved.lines)?;
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
            before_shipping: false,
        };
        let mut changes = std::mem::take(&mut resolved.before);
        changes.extend(self.exchange_opened(&resolved, &request.claim, details, ctx));
        if !kakao {
            let order = self.replacement_order(
                original,
                &resolved.lines,
                &changes,
                request.claim.claim,
                request.exchange_order,
                &replacements,
                &request.replacements,
                !request.swap,
                InvoiceUpload::NotDue,
                ctx,
            )?;
            changes.push(order);
            if let Some(plan) = &request.pickup {
                changes.push(self.pickup_created(
                    plan,
                    request.claim.claim,
                    request.claim.order,
                    &units,
                    ctx,
                )?);
            }
        }
        Ok(changes)
    }

    /// 배송전 교환 (R10): the chosen lines and quantities are replaced, in the same order, by the
    /// replacement lines, which take the old lines' status (and invoice, if one was issued) and
    /// ship in their place; the old lines stay in the order, exchanged away, and never ship.
    /// Nothing is picked up and no shipping is charged, so the exchange completes as it is made.
    /// A printed label names the old item and must be printed again. Kakao Style still exchanges
    /// only options of the same product (R21).
    fn decide_exchange_before_shipping(
        &self,
        request: &ExchangeRequest,
        mut resolved: Resolved<'_>,
        ctx: &Ctx,
        kakao: bool,
    ) -> Result<Vec<Change>, Refusal> {
        for (_, line) in &resolved.lines {
            if line.claim_state != ClaimState::Normal {
                return Err(Refusal::ClaimStateForbids {
                    line: line.id,
                    state: line.claim_state,
                    action: Action::Exchange,
                });
            }
        }
        if request.pickup.is_some() || request.shipping_fee_one_way != Won::ZERO {
            let (_, line) = resolved.lines.first().ok_or(Refusal::NothingSelected)?;
            return Err(Refusal::NothingToPickUp {
                line: line.id,
                status: line.status,
            });
        }
        let order = self.order(request.claim.order)?;
        let units = claimed_units(&resolved, &request.claim);
        let replacements = replacements_for(&units, &resolved.lines, &request.replacements)?;
        if kakao {
            check_same_product(&replacements, &resolved.lines)?;
        }
        let mut fresh = fresh_line_ids(&resolved.before);
        let mut lines = Vec::with_capacity(replacements.len());
        for replacement in &replacements {
            self.check_line_id_unused(replacement.new_line, &mut fresh)?;
            let old = old_line(&resolved.lines, replacement.for_line);
            // An operator's own hold (주소 확인…) concerns the parcel, not the item: it stays.
            // A hold of the claim being processed ends with it.
            let hold = old
                .and_then(|l| l.hold.clone())
                .filter(|h| h.kind == HoldKind::Operator);
            let mut line = self.replacement_line(
                &order.marketplace,
                old,
                replacement,
                &request.replacements,
                old.map(|l| l.status).unwrap_or(LineStatus::Preparing),
                hold,
            );
            line.replaces = Some(replacement.for_line);
            lines.push(line);
        }
        let details = ExchangeDetails {
            flow: if kakao {
                ExchangeFlow::KakaoStyle
            } else {
                ExchangeFlow::Case1
            },
            swap: false,
            replacement_order: None,
            replacements,
            shipping_fee_one_way: Won::ZERO,
            payment: request.payment,
            kakao: None,
            cafe24_mode: None,
            notice_recommended: false,
            before_shipping: true,
        };
        let claim = request.claim.claim;
        let mut changes = std::mem::take(&mut resolved.before);
        changes.extend(self.exchange_opened(&resolved, &request.claim, details, ctx));
        changes.push(Change::ReplacementLinesAdded {
            claim,
            order: order.id,
            lines,
        });
        changes.extend(self.label_outdated(order.id));
        changes.push(Change::ClaimCompleted {
            claim,
            order: order.id,
        });
        Ok(changes)
    }

    /// An exchange made in the console: the marketplace claim being processed is accepted and
    /// given its details, or a new operator claim opens with them.
    fn exchange_opened(
        &self,
        resolved: &Resolved<'_>,
        request: &ClaimRequest,
        details: ExchangeDetails,
        ctx: &Ctx,
    ) -> Vec<Change> {
        match resolved.existing {
            Some(existing) => vec![
                Change::ClaimAccepted {
                    claim: existing.id,
                    order: existing.order,
                },
                Change::ExchangeArranged {
                    claim: existing.id,
                    order: existing.order,
                    details: Box::new(details),
                },
            ],
            None => {
                let mut opened = self.new_claim(
                    request,
                    ClaimKind::Exchange,
                    &resolved.lines,
                    ClaimSource::Operator,
                    ClaimProgress::Open,
                    None,
                    ctx,
                );
                opened.exchange = Some(details);
                vec![Change::ClaimOpened(Box::new(opened))]
            }
        }
    }

    /// The parcel's label, if printed, no longer names what the parcel carries (R28).
    fn label_outdated(&self, order: OrderId) -> Option<Change> {
        let printed = self
            .orders
            .get(&order)
            .and_then(|o| o.invoice.as_ref())
            .is_some_and(|i| i.printed_at.is_some());
        printed.then(|| Change::LabelOutdated {
            orders: self.parcel_of(order),
        })
    }

    /// Checks that a line id is used neither in the book nor earlier in the same decision.
    fn check_line_id_unused(
        &self,
        id: LineId,
        fresh: &mut std::collections::BTreeSet<LineId>,
    ) -> Result<(), Refusal> {
        self.check_new_line_id(id)?;
        if !fresh.insert(id) {
            return Err(Refusal::IdTaken {
                what: "line".into(),
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// A replacement line (R15, R18, R10): the replacement's product and option at the old
    /// line's base price plus the new option's price, with the keys the request gives or the
    /// old line's, linked to stock like a collected line (R30).
    fn replacement_line(
        &self,
        marketplace: &crate::marketplace::MarketplaceCode,
        old: Option<&Line>,
        replacement: &Replacement,
        requests: &[ReplacementRequest],
        status: LineStatus,
        hold: Option<Hold>,
    ) -> Line {
        let keys = requests
            .iter()
            .find(|r| r.new_line == replacement.new_line)
            .and_then(|r| r.keys.clone())
            .or_else(|| old.map(|l| l.keys.clone()))
            .unwrap_or_default();
        let base_price = old
            .map(|l| l.unit_price - l.option_price)
            .unwrap_or(Won::ZERO);
        Line {
            id: replacement.new_line,
            sku: self
                .stock
                .linked(&crate::stock::ProductKey {
                    marketplace: marketplace.clone(),
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
            status,
            claim_state: ClaimState::Normal,
            hold,
            claim: None,
            split_of: None,
            replaces: None,
        }
    }

    /// The replacement order of a CASE1 or Cafe24 exchange (R15, R18): ships like any order. A
    /// replacement that must wait for the old item (not a swap, and the old item shipped) is
    /// held until the pickup arrives (R17); `divided` are the line ids the same decision divides
    /// off first, which its new lines must not take.
    #[allow(clippy::too_many_arguments)]
    fn replacement_order(
        &self,
        original: &Order,
        claimed: &[(LineId, &Line)],
        divided: &[Change],
        claim: ClaimId,
        id: OrderId,
        replacements: &[Replacement],
        requests: &[ReplacementRequest],
        awaits_pickup: bool,
        upload: InvoiceUpload,
        ctx: &Ctx,
    ) -> Result<Change, Refusal> {
        self.check_new_order_id(id)?;
        let hold = awaits_pickup.then_some(Hold {
            kind: HoldKind::Exchange,
            reason: HoldReason::AwaitingExchangePickup(claim),
            since: ctx.now,
        });
        let mut fresh = fresh_line_ids(divided);
        let mut lines = Vec::new();
        for replacement in replacements {
            self.check_line_id_unused(replacement.new_line, &mut fresh)?;
            lines.push(self.replacement_line(
                &original.marketplace,
                old_line(claimed, replacement.for_line),
                replacement,
                requests,
                LineStatus::Preparing,
                hold.clone(),
            ));
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
            claims_after_confirmation: Vec::new(),
            withdrawn_claims: Vec::new(),
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
        let lines: Vec<&Line> = lines
            .into_iter()
            .filter(|line| line.claim_state != ClaimState::Cancelled)
            .collect();
        if collected.kind != ClaimKind::Cancel
            && lines
                .iter()
                .any(|line| line.status == LineStatus::PurchaseConfirmed)
        {
            return Ok(self.claim_after_confirmation(collected, order, &lines, ctx));
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
                before_shipping: false,
            });
        }
        changes.push(Change::ClaimOpened(Box::new(claim)));
        Ok(changes)
    }

    /// R3: a return or exchange reported for confirmed lines opens no claim and neither holds
    /// nor changes them; it is kept on the order for the operator, once (a sync repeats every
    /// run, so the same request — by claim number, or by kind, lines and status where the
    /// marketplace sends none — is kept only the first time).
    fn claim_after_confirmation(
        &self,
        collected: &CollectedClaim,
        order: &Order,
        lines: &[&Line],
        ctx: &Ctx,
    ) -> Vec<Change> {
        let line_ids: Vec<LineId> = lines.iter().map(|line| line.id).collect();
        let known = order.claims_after_confirmation.iter().any(|kept| {
            kept.kind == collected.kind
                && match (&kept.claim_no, &collected.claim_no) {
                    (Some(kept_no), Some(no)) => kept_no == no,
                    _ => kept.lines == line_ids && kept.status == collected.status,
                }
        });
        if known {
            return Vec::new();
        }
        vec![Change::ClaimAfterConfirmationKept {
            order: order.id,
            request: Box::new(ClaimAfterConfirmation {
                id: collected.claim,
                kind: collected.kind,
                lines: line_ids,
                quantity: collected.quantity,
                status: collected.status.clone(),
                claim_no: collected.claim_no.clone(),
                reason: collected.reason.clone(),
                fault: collected.fault,
                requested_option: collected.requested_option.clone(),
                reported_at: ctx.now,
                closed: None,
            }),
        }]
    }

    /// 처리완료 of a request kept under R3; closing it again changes nothing.
    pub(super) fn decide_close_claim_after_confirmation(
        &self,
        order: OrderId,
        request: ClaimId,
    ) -> Result<Vec<Change>, Refusal> {
        let kept = self
            .order(order)?
            .claims_after_confirmation
            .iter()
            .find(|kept| kept.id == request)
            .ok_or(Refusal::UnknownClaimAfterConfirmation { order, request })?;
        if kept.closed.is_some() {
            return Ok(Vec::new());
        }
        Ok(vec![Change::ClaimAfterConfirmationClosed {
            order,
            request,
        }])
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
                        action: Action::Withdraw,
                    });
                }
            }
            // The replacement must not ship once the exchange is withdrawn: it has to be
            // cancelled first (as the refusal says), and then the withdrawal goes through.
            if let Some(order) = details
                .replacement_order
                .filter(|o| self.orders.get(o).is_some_and(|o| !o.is_cancelled()))
            {
                return Err(Refusal::ReplacementOrderExists { claim: id, order });
            }
        }
        if let Some(pickup) = claim.pickup.and_then(|p| self.pickups.get(&p)) {
            if pickup.state.has_arrived() {
                return Err(Refusal::PickupStateForbids {
                    pickup: pickup.id,
                    state: pickup.state,
                    action: Action::WithdrawAfterArrival,
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
    /// move a line's 주문상태, so its status stays what it is now. A line a later claim has taken
    /// since (a marketplace cancel that arrived while an exchange request waited) is left to that
    /// claim: its snapshot from before this claim is stale, and restoring it would undo the
    /// later claim — a cancelled line would ship again.
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
            .filter(|(_, line)| line.claim == Some(claim.id))
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

    /// Runs a Cafe24 exchange whose line number changed (R18): the console makes the exchange
    /// order. If the old item has shipped it is picked up, and the replacement waits for it
    /// unless swapped (R17). If it is still in the warehouse the exchange is made before
    /// shipping (R10): nothing is picked up, the replacement is not held, the old line is
    /// exchanged away at once and never ships — its order's invoice is voided when nothing else
    /// is left to ship, and a printed label is outdated.
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
        let original = self.order(claim.order)?;
        let lines: Vec<(LineId, &Line)> = claim
            .lines
            .iter()
            .filter_map(|l| original.line(l.line).map(|line| (l.line, line)))
            .collect();
        let shipped = lines.iter().any(|(_, line)| line.status.is_shipped());
        match (shipped, pickup) {
            (true, None) => return Err(Refusal::PickupPlanRequired),
            (false, Some(_)) => {
                let (_, line) = lines.first().ok_or(Refusal::NothingSelected)?;
                return Err(Refusal::NothingToPickUp {
                    line: line.id,
                    status: line.status,
                });
            }
            _ => {}
        }
        let units: Vec<(LineId, u32)> = claim.lines.iter().map(|l| (l.line, l.quantity)).collect();
        let replaced = replacements_for(&units, &lines, replacements)?;
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
                    swap: swap && shipped,
                    replacement_order: Some(exchange_order),
                    replacements: replaced.clone(),
                    shipping_fee_one_way: Won::ZERO,
                    payment: crate::claim::FeePayment::Enclosed,
                    kakao: None,
                    cafe24_mode: None,
                    notice_recommended: false,
                    before_shipping: !shipped,
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
                &[],
                id,
                exchange_order,
                &replaced,
                replacements,
                shipped && !swap,
                upload,
                ctx,
            )?,
        ];
        if let Some(plan) = pickup {
            changes.push(self.pickup_created(plan, id, claim.order, &units, ctx)?);
        }
        if !shipped {
            let leaving: Vec<LineId> = lines.iter().map(|(id, _)| *id).collect();
            let stays = original
                .shipping_lines()
                .any(|line| !leaving.contains(&line.id));
            match &original.invoice {
                Some(invoice) if !stays && original.bundle.is_none() => {
                    changes.push(Change::InvoiceVoided {
                        orders: vec![original.id],
                        invoice: invoice.clone(),
                    });
                }
                _ => changes.extend(self.label_outdated(original.id)),
            }
            changes.push(Change::ClaimCompleted {
                claim: id,
                order: claim.order,
            });
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
            action: Action::Cancel,
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
            action: Action::ReturnOrExchange,
        });
    }
    Ok(())
}

/// The units a request claims of a line: its pick's quantity, or the whole line.
fn units_of(request: &ClaimRequest, line: &Line) -> u32 {
    request
        .lines
        .iter()
        .find(|p| p.line == line.id)
        .map(|p| p.quantity)
        .unwrap_or(line.quantity)
}

/// The units a claim covers per claimed line id (R9): those of the marketplace claim being
/// processed, or those the request picks.
fn claimed_units(resolved: &Resolved<'_>, request: &ClaimRequest) -> Vec<(LineId, u32)> {
    match resolved.existing {
        Some(existing) => existing
            .lines
            .iter()
            .map(|l| (l.line, l.quantity))
            .collect(),
        None => resolved
            .lines
            .iter()
            .map(|(id, line)| (*id, units_of(request, line)))
            .collect(),
    }
}

/// The line a claimed line id stands for, as it is now (a divided part exists only once the
/// decision applies, so it is its original line).
fn old_line<'l>(claimed: &[(LineId, &'l Line)], id: LineId) -> Option<&'l Line> {
    claimed
        .iter()
        .find(|(claimed, _)| *claimed == id)
        .map(|(_, line)| *line)
}

/// The line ids that `LineDivided` changes of the same decision create.
fn fresh_line_ids(changes: &[Change]) -> std::collections::BTreeSet<LineId> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::LineDivided { new_line, .. } => Some(*new_line),
            _ => None,
        })
        .collect()
}

/// R21: a Kakao Style exchange changes the option of the same product only.
fn check_same_product(
    replacements: &[Replacement],
    lines: &[(LineId, &Line)],
) -> Result<(), Refusal> {
    for (replacement, (_, line)) in replacements.iter().zip(lines) {
        if replacement.product_name.trim() != line.product_name.trim() {
            return Err(Refusal::ExchangeToOtherProduct);
        }
    }
    Ok(())
}

/// One replacement per claimed line, in the claimed lines' order, for the units claimed.
fn replacements_for(
    units: &[(LineId, u32)],
    lines: &[(LineId, &Line)],
    asked: &[ReplacementRequest],
) -> Result<Vec<Replacement>, Refusal> {
    lines
        .iter()
        .map(|(claimed, line)| {
            let quantity = units
                .iter()
                .find(|(id, _)| id == claimed)
                .map(|(_, units)| *units)
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
