//! The Kakao Style exchange commands (R19–R24). The state checks live in
//! [`crate::exchange::KakaoExchange`]; this turns them into events.

use super::Book;
use crate::carrier::Carrier;
use crate::claim::{Claim, ClaimProgress, FeePayment};
use crate::context::Ctx;
use crate::event::Change;
use crate::exchange::{DelayNotice, ExchangeState, KakaoExchange};
use crate::fault::Fault;
use crate::ids::{ClaimId, LineId};
use crate::money::Won;
use crate::refusal::{Action, Refusal};
use crate::stock::ProductKey;
use chrono::{DateTime, Utc};

impl Book {
    fn kakao(&self, id: ClaimId) -> Result<(&Claim, &KakaoExchange), Refusal> {
        let claim = self.claim(id)?;
        let kakao = claim
            .exchange
            .as_ref()
            .and_then(|e| e.kakao.as_ref())
            .ok_or(Refusal::NotKakaoExchange(id))?;
        Ok((claim, kakao))
    }

    fn moved(claim: &Claim, from: ExchangeState, to: ExchangeState) -> Change {
        Change::ExchangeMoved {
            claim: claim.id,
            order: claim.order,
            from,
            to,
        }
    }

    pub(super) fn decide_kakao_accept(&self, id: ClaimId) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        let to = kakao.check_accept(id)?;
        let mut changes = Vec::new();
        if claim.progress == ClaimProgress::Requested {
            changes.push(Change::ClaimAccepted {
                claim: id,
                order: claim.order,
            });
        }
        changes.push(Self::moved(claim, kakao.state, to));
        Ok(changes)
    }

    pub(super) fn decide_kakao_pickup_done(&self, id: ClaimId) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        let to = kakao.check_pickup_done(id)?;
        Ok(vec![Self::moved(claim, kakao.state, to)])
    }

    pub(super) fn decide_kakao_confirm(&self, id: ClaimId) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        let to = kakao.check_confirm(id)?;
        Ok(vec![Self::moved(claim, kakao.state, to)])
    }

    pub(super) fn decide_kakao_ship(
        &self,
        id: ClaimId,
        carrier: &Carrier,
        tracking_no: &str,
    ) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        let to = kakao.check_ship(id, carrier, tracking_no)?;
        let mut changes = vec![
            Change::ReplacementInvoiceSet {
                claim: id,
                order: claim.order,
                before: kakao.invoice.clone(),
                after: (carrier.clone(), tracking_no.trim().to_owned()),
            },
            Self::moved(claim, kakao.state, to),
        ];
        changes.extend(self.replacement_leaves_stock(claim)?);
        Ok(changes)
    }

    /// The replacement option leaves the warehouse when it ships (R30): its stock item, when the
    /// option is linked, goes down by the units sent. The returned item is restocked by the
    /// operator after inspection, as with any return.
    fn replacement_leaves_stock(&self, claim: &Claim) -> Result<Vec<Change>, Refusal> {
        let order = self.order(claim.order)?;
        let Some(details) = &claim.exchange else {
            return Ok(Vec::new());
        };
        let mut changes = Vec::new();
        for replacement in &details.replacements {
            let Some(line) = order.line(replacement.for_line) else {
                continue;
            };
            let product = ProductKey {
                marketplace: order.marketplace.clone(),
                product: line
                    .keys
                    .product_code
                    .clone()
                    .unwrap_or_else(|| line.product_name.clone()),
                option: replacement.option.clone(),
            };
            let Some(item) = self
                .stock
                .linked(&product)
                .and_then(|sku| self.stock.items.get(sku))
            else {
                continue;
            };
            changes.push(Change::StockAdjusted {
                sku: item.sku.clone(),
                delta: -i64::from(replacement.quantity),
                before: item.on_hand,
            });
        }
        Ok(changes)
    }

    pub(super) fn decide_kakao_delivered(&self, id: ClaimId) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        let to = kakao.check_delivered(id)?;
        Ok(vec![
            Self::moved(claim, kakao.state, to),
            Change::ClaimCompleted {
                claim: id,
                order: claim.order,
            },
        ])
    }

    pub(super) fn decide_kakao_reject(
        &self,
        id: ClaimId,
        reason: &str,
    ) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        let to = kakao.check_reject(id, reason)?;
        Ok(vec![
            Self::moved(claim, kakao.state, to),
            self.undo_claim(
                claim,
                ClaimProgress::Rejected,
                Some(reason.trim().to_owned()),
            )?,
        ])
    }

    pub(super) fn decide_kakao_edit(
        &self,
        id: ClaimId,
        options: &[(LineId, String, Won)],
        fault: Fault,
        payment: FeePayment,
    ) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        kakao.check_edit(id)?;
        if !matches!(payment, FeePayment::Enclosed | FeePayment::BankTransfer) {
            // Kakao Style settles exchange costs by 동봉 or 송금 only (R21).
            return Err(Refusal::ExchangeStateForbids {
                claim: id,
                state: kakao.state,
                action: Action::SettleOtherThanEnclosedOrTransfer,
            });
        }
        let details = claim
            .exchange
            .as_ref()
            .ok_or(Refusal::NotKakaoExchange(id))?;
        let mut changed = Vec::new();
        for (line, option, price) in options {
            let replacement = details
                .replacements
                .iter()
                .find(|r| r.for_line == *line)
                .ok_or_else(|| Refusal::LineNotInClaim {
                    line: *line,
                    what: format!("exchange {id}"),
                })?;
            changed.push((*line, replacement.option.clone(), option.clone(), *price));
        }
        Ok(vec![Change::ExchangeEdited {
            claim: id,
            order: claim.order,
            options: changed,
            fault: (claim.fault, fault),
            payment: (details.payment, payment),
        }])
    }

    pub(super) fn decide_kakao_delay(
        &self,
        id: ClaimId,
        due: DateTime<Utc>,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        kakao.check_delay_notice(id, ctx.now, due)?;
        Ok(vec![Change::ExchangeDelayNoticed {
            claim: id,
            order: claim.order,
            notice: DelayNotice {
                noticed_at: ctx.now,
                due,
            },
        }])
    }

    pub(super) fn decide_kakao_edit_invoice(
        &self,
        id: ClaimId,
        carrier: &Carrier,
        tracking_no: &str,
    ) -> Result<Vec<Change>, Refusal> {
        let (claim, kakao) = self.kakao(id)?;
        kakao.check_edit_invoice(id, carrier, tracking_no)?;
        Ok(vec![Change::ReplacementInvoiceSet {
            claim: id,
            order: claim.order,
            before: kakao.invoice.clone(),
            after: (carrier.clone(), tracking_no.trim().to_owned()),
        }])
    }
}
