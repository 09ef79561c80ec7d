//! The Kakao Style (Zigzag) exchange lifecycle (R19–R24):
//!
//! ```text
//! 교환요청 ─accept→ 교환수거중 ─pickup done→ 교환수거완료 ─confirm→ 교환배송준비중 ─ship→ 교환배송중 ─→ 교환배송완료
//!    └──────────────── reject (with a reason) → back to 배송중 / 배송완료 ──┘   │  ↑
//!                                                  delay notice (≤ 2, due ≤ 15 days) ┘  │
//!                           not shipped by the due date → 교환배송지연 + penalty ───────┘
//! ```
//!
//! Each step is a method that checks the state and returns the next one, or the refusal.

use crate::carrier::Carrier;
use crate::ids::ClaimId;
use crate::order::LineStatus;
use crate::refusal::{Action, Refusal};
use chrono::{DateTime, Duration, Utc};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// At most this many delay notices per exchange (R22).
pub const MAX_DELAY_NOTICES: usize = 2;
/// A delay notice's due date is at most this many days after the notice (R22).
pub const MAX_DELAY_DAYS: i64 = 15;
/// Without a delay notice the replacement must ship within this many days of confirmation, or
/// the exchange becomes 교환배송지연. The seed gives no number; three days is the shipping
/// deadline Korean marketplaces commonly hold sellers to, and the console's choice (R22).
pub const NORMAL_SHIP_DAYS: i64 = 3;

/// 교환 states (R19, R22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExchangeState {
    /// 교환요청.
    Requested,
    /// 교환수거중.
    PickingUp,
    /// 교환수거완료.
    PickedUp,
    /// 교환배송준비중 (after confirmation: no reject, no cancel).
    PreparingReplacement,
    /// 교환배송연기안내: a delay was announced.
    DelayNoticed,
    /// 교환배송지연: the due date passed without shipping; a penalty was recorded.
    Delayed,
    /// 교환배송중.
    ReplacementInTransit,
    /// 교환배송완료.
    ReplacementDelivered,
    /// 교환거부: rejected; the line went back to its delivery state.
    Rejected,
}

impl ExchangeState {
    /// The Korean words the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            ExchangeState::Requested => "교환요청",
            ExchangeState::PickingUp => "교환수거중",
            ExchangeState::PickedUp => "교환수거완료",
            ExchangeState::PreparingReplacement => "교환배송준비중",
            ExchangeState::DelayNoticed => "교환배송연기안내",
            ExchangeState::Delayed => "교환배송지연",
            ExchangeState::ReplacementInTransit => "교환배송중",
            ExchangeState::ReplacementDelivered => "교환배송완료",
            ExchangeState::Rejected => "교환거부",
        }
    }

    /// Reject is possible before confirmation (R20).
    pub fn can_reject(self) -> bool {
        matches!(
            self,
            ExchangeState::Requested | ExchangeState::PickingUp | ExchangeState::PickedUp
        )
    }

    /// Exchange info can be edited while picking up or picked up (R21).
    pub fn can_edit(self) -> bool {
        matches!(self, ExchangeState::PickingUp | ExchangeState::PickedUp)
    }

    /// The replacement is being prepared and may still ship (R22).
    pub fn awaits_shipping(self) -> bool {
        matches!(
            self,
            ExchangeState::PreparingReplacement
                | ExchangeState::DelayNoticed
                | ExchangeState::Delayed
        )
    }
}

/// A delay notice (교환배송연기안내, R22).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DelayNotice {
    /// When it was announced (the buyer got an 알림톡).
    pub noticed_at: DateTime<Utc>,
    /// The new due date.
    pub due: DateTime<Utc>,
}

/// A penalty for a late replacement (R22).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Penalty {
    /// When the exchange became late.
    pub at: DateTime<Utc>,
    /// The due date it missed.
    pub missed_due: DateTime<Utc>,
}

/// A Kakao Style exchange's own state (R19–R24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct KakaoExchange {
    /// Where it is.
    pub state: ExchangeState,
    /// The delivery status the line had before the request; a reject returns it there (R20).
    pub delivery_before: LineStatus,
    /// When the seller confirmed the pickup (교환수거완료 확정).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Delay notices, oldest first (R22).
    pub delay_notices: Vec<DelayNotice>,
    /// The penalty, once the exchange was late (R22).
    pub penalty: Option<Penalty>,
    /// The replacement's carrier and invoice number (R19, R24).
    pub invoice: Option<(Carrier, String)>,
    /// When the replacement was shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The reject reason the buyer reads (R20).
    pub reject_reason: Option<String>,
}

impl KakaoExchange {
    /// A new exchange request on a line that is in transit or delivered.
    pub fn requested(delivery_before: LineStatus) -> Self {
        Self {
            state: ExchangeState::Requested,
            delivery_before,
            confirmed_at: None,
            delay_notices: Vec::new(),
            penalty: None,
            invoice: None,
            shipped_at: None,
            delivered_at: None,
            reject_reason: None,
        }
    }

    fn forbid(&self, claim: ClaimId, action: Action) -> Refusal {
        Refusal::ExchangeStateForbids {
            claim,
            state: self.state,
            action,
        }
    }

    /// 교환 접수: requested → picking up (R19).
    pub fn check_accept(&self, claim: ClaimId) -> Result<ExchangeState, Refusal> {
        match self.state {
            ExchangeState::Requested => Ok(ExchangeState::PickingUp),
            _ => Err(self.forbid(claim, Action::AcceptExchange)),
        }
    }

    /// 교환 수거 완료: picking up → picked up (R19).
    pub fn check_pickup_done(&self, claim: ClaimId) -> Result<ExchangeState, Refusal> {
        match self.state {
            ExchangeState::PickingUp => Ok(ExchangeState::PickedUp),
            _ => Err(self.forbid(claim, Action::CompleteExchangePickup)),
        }
    }

    /// 교환 수거 완료 확정: picked up → preparing the replacement; from here on neither reject
    /// nor cancel (R19, R20).
    pub fn check_confirm(&self, claim: ClaimId) -> Result<ExchangeState, Refusal> {
        match self.state {
            ExchangeState::PickedUp => Ok(ExchangeState::PreparingReplacement),
            _ => Err(self.forbid(claim, Action::ConfirmExchange)),
        }
    }

    /// 교환 배송중 처리: needs carrier and invoice number (R19).
    pub fn check_ship(
        &self,
        claim: ClaimId,
        carrier: &Carrier,
        tracking_no: &str,
    ) -> Result<ExchangeState, Refusal> {
        if !self.state.awaits_shipping() {
            return Err(self.forbid(claim, Action::ShipReplacement));
        }
        if carrier.0.trim().is_empty() || tracking_no.trim().is_empty() {
            return Err(Refusal::MissingInvoiceNumber);
        }
        Ok(ExchangeState::ReplacementInTransit)
    }

    /// 교환배송완료 (R19).
    pub fn check_delivered(&self, claim: ClaimId) -> Result<ExchangeState, Refusal> {
        match self.state {
            ExchangeState::ReplacementInTransit => Ok(ExchangeState::ReplacementDelivered),
            _ => Err(self.forbid(claim, Action::MarkReplacementDelivered)),
        }
    }

    /// 교환 거부: needs a reason; before confirmation only (R20).
    pub fn check_reject(&self, claim: ClaimId, reason: &str) -> Result<ExchangeState, Refusal> {
        if !self.state.can_reject() {
            return Err(self.forbid(claim, Action::RejectExchange));
        }
        if reason.trim().is_empty() {
            return Err(Refusal::ReasonRequired);
        }
        Ok(ExchangeState::Rejected)
    }

    /// 교환 상품 정보 수정: while picking up or picked up (R21).
    pub fn check_edit(&self, claim: ClaimId) -> Result<(), Refusal> {
        if self.state.can_edit() {
            Ok(())
        } else {
            Err(self.forbid(claim, Action::EditExchange))
        }
    }

    /// 송장 정보 수정: while the replacement is in transit (R24).
    pub fn check_edit_invoice(
        &self,
        claim: ClaimId,
        carrier: &Carrier,
        tracking_no: &str,
    ) -> Result<(), Refusal> {
        if self.state != ExchangeState::ReplacementInTransit {
            return Err(self.forbid(claim, Action::EditReplacementInvoice));
        }
        if carrier.0.trim().is_empty() || tracking_no.trim().is_empty() {
            return Err(Refusal::MissingInvoiceNumber);
        }
        Ok(())
    }

    /// 교환 배송 연기 안내: while preparing, at most twice, due within 15 days (R22).
    pub fn check_delay_notice(
        &self,
        claim: ClaimId,
        now: DateTime<Utc>,
        due: DateTime<Utc>,
    ) -> Result<ExchangeState, Refusal> {
        if !matches!(
            self.state,
            ExchangeState::PreparingReplacement | ExchangeState::DelayNoticed
        ) {
            return Err(self.forbid(claim, Action::AnnounceDelay));
        }
        if self.delay_notices.len() >= MAX_DELAY_NOTICES {
            return Err(Refusal::TooManyDelayNotices(claim));
        }
        let latest = now + Duration::days(MAX_DELAY_DAYS);
        if due <= now || due > latest {
            return Err(Refusal::DueDateOutOfRange { due, latest });
        }
        Ok(ExchangeState::DelayNoticed)
    }

    /// When the replacement must have shipped: the last notice's due date, or the normal deadline
    /// after confirmation (R22).
    pub fn due(&self) -> Option<DateTime<Utc>> {
        if let Some(notice) = self.delay_notices.last() {
            return Some(notice.due);
        }
        self.confirmed_at
            .map(|confirmed| confirmed + Duration::days(NORMAL_SHIP_DAYS))
    }

    /// Whether, at `now`, the exchange has just become late: still unshipped after its due date
    /// and not already marked late (R22).
    pub fn becomes_late(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !matches!(
            self.state,
            ExchangeState::PreparingReplacement | ExchangeState::DelayNoticed
        ) {
            return None;
        }
        self.due().filter(|due| now > *due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0)
            .single()
            .expect("valid date")
    }

    #[test]
    fn r19_states_follow_the_seed_order() {
        let id = ClaimId(1);
        let mut ex = KakaoExchange::requested(LineStatus::Delivered);
        assert_eq!(ex.check_accept(id), Ok(ExchangeState::PickingUp));
        ex.state = ExchangeState::PickingUp;
        assert_eq!(ex.check_pickup_done(id), Ok(ExchangeState::PickedUp));
        ex.state = ExchangeState::PickedUp;
        assert_eq!(
            ex.check_confirm(id),
            Ok(ExchangeState::PreparingReplacement)
        );
        ex.state = ExchangeState::PreparingReplacement;
        assert_eq!(
            ex.check_ship(id, &Carrier::cj(), "123"),
            Ok(ExchangeState::ReplacementInTransit)
        );
        ex.state = ExchangeState::ReplacementInTransit;
        assert_eq!(
            ex.check_delivered(id),
            Ok(ExchangeState::ReplacementDelivered)
        );
    }

    #[test]
    fn r19_ship_requires_carrier_and_invoice_number() {
        let mut ex = KakaoExchange::requested(LineStatus::Delivered);
        ex.state = ExchangeState::PreparingReplacement;
        assert_eq!(
            ex.check_ship(ClaimId(1), &Carrier::cj(), " "),
            Err(Refusal::MissingInvoiceNumber)
        );
        assert_eq!(
            ex.check_ship(ClaimId(1), &Carrier(String::new()), "123"),
            Err(Refusal::MissingInvoiceNumber)
        );
    }

    #[test]
    fn r20_reject_only_before_confirmation_and_with_reason() {
        let mut ex = KakaoExchange::requested(LineStatus::InTransit);
        assert_eq!(
            ex.check_reject(ClaimId(1), ""),
            Err(Refusal::ReasonRequired)
        );
        for state in [
            ExchangeState::Requested,
            ExchangeState::PickingUp,
            ExchangeState::PickedUp,
        ] {
            ex.state = state;
            assert_eq!(
                ex.check_reject(ClaimId(1), "사용 흔적"),
                Ok(ExchangeState::Rejected)
            );
        }
        for state in [
            ExchangeState::PreparingReplacement,
            ExchangeState::DelayNoticed,
            ExchangeState::ReplacementInTransit,
        ] {
            ex.state = state;
            assert!(matches!(
                ex.check_reject(ClaimId(1), "사용 흔적"),
                Err(Refusal::ExchangeStateForbids { .. })
            ));
        }
    }

    #[test]
    fn r22_at_most_two_delay_notices_each_within_fifteen_days() {
        let id = ClaimId(7);
        let mut ex = KakaoExchange::requested(LineStatus::Delivered);
        ex.state = ExchangeState::PreparingReplacement;
        ex.confirmed_at = Some(t(1));
        assert!(matches!(
            ex.check_delay_notice(id, t(2), t(18)),
            Err(Refusal::DueDateOutOfRange { .. })
        ));
        assert!(matches!(
            ex.check_delay_notice(id, t(2), t(2)),
            Err(Refusal::DueDateOutOfRange { .. })
        ));
        assert_eq!(
            ex.check_delay_notice(id, t(2), t(17)),
            Ok(ExchangeState::DelayNoticed)
        );
        ex.delay_notices.push(DelayNotice {
            noticed_at: t(2),
            due: t(10),
        });
        ex.delay_notices.push(DelayNotice {
            noticed_at: t(9),
            due: t(20),
        });
        ex.state = ExchangeState::DelayNoticed;
        assert_eq!(
            ex.check_delay_notice(id, t(19), t(25)),
            Err(Refusal::TooManyDelayNotices(id))
        );
    }

    #[test]
    fn r22_due_is_the_last_notice_or_the_normal_deadline() {
        let mut ex = KakaoExchange::requested(LineStatus::Delivered);
        ex.state = ExchangeState::PreparingReplacement;
        ex.confirmed_at = Some(t(1));
        assert_eq!(ex.due(), Some(t(1) + Duration::days(NORMAL_SHIP_DAYS)));
        assert_eq!(ex.becomes_late(t(3)), None);
        assert_eq!(ex.becomes_late(t(5)), Some(t(4)));
        ex.delay_notices.push(DelayNotice {
            noticed_at: t(2),
            due: t(10),
        });
        ex.state = ExchangeState::DelayNoticed;
        assert_eq!(ex.becomes_late(t(5)), None);
        assert_eq!(ex.becomes_late(t(11)), Some(t(10)));
        ex.state = ExchangeState::Delayed;
        assert_eq!(ex.becomes_late(t(12)), None, "late once, penalised once");
    }
}
