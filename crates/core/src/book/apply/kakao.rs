//! The fold of Kakao Style exchanges (R19–R24): states, edits, delay notices, lateness, the
//! replacement's invoice.

use super::{kakao_mut, ReplayError};
use crate::book::Book;
use crate::carrier::Carrier;
use crate::claim::FeePayment;
use crate::exchange::{DelayNotice, ExchangeState, Penalty};
use crate::fault::Fault;
use crate::ids::{ClaimId, LineId};
use crate::money::Won;
use chrono::{DateTime, Utc};

impl Book {
    pub(super) fn apply_exchange_moved(
        &mut self,
        claim: ClaimId,
        to: ExchangeState,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let kakao = kakao_mut(&mut self.claims, claim)?;
        kakao.state = to;
        match to {
            ExchangeState::PreparingReplacement => kakao.confirmed_at = Some(at),
            ExchangeState::ReplacementInTransit => kakao.shipped_at = Some(at),
            ExchangeState::ReplacementDelivered => kakao.delivered_at = Some(at),
            _ => {}
        }
        Ok(())
    }

    /// Exchange info edited (R21): the options of the replaced lines, fault and payment after.
    pub(super) fn apply_exchange_edited(
        &mut self,
        claim: ClaimId,
        options: &[(LineId, String, String, Won)],
        fault: Fault,
        payment: FeePayment,
    ) -> Result<(), ReplayError> {
        let found = self
            .claims
            .get_mut(&claim)
            .ok_or(ReplayError::MissingClaim(claim))?;
        found.fault = fault;
        if let Some(details) = &mut found.exchange {
            details.payment = payment;
            for (line, _, after, price) in options {
                for r in details
                    .replacements
                    .iter_mut()
                    .filter(|r| r.for_line == *line)
                {
                    r.option = after.clone();
                    r.option_price = *price;
                }
            }
        }
        Ok(())
    }

    pub(super) fn apply_delay_noticed(
        &mut self,
        claim: ClaimId,
        notice: &DelayNotice,
    ) -> Result<(), ReplayError> {
        let kakao = kakao_mut(&mut self.claims, claim)?;
        kakao.delay_notices.push(notice.clone());
        kakao.state = ExchangeState::DelayNoticed;
        Ok(())
    }

    pub(super) fn apply_exchange_late(
        &mut self,
        claim: ClaimId,
        penalty: &Penalty,
    ) -> Result<(), ReplayError> {
        let kakao = kakao_mut(&mut self.claims, claim)?;
        kakao.penalty = Some(penalty.clone());
        kakao.state = ExchangeState::Delayed;
        Ok(())
    }

    pub(super) fn apply_replacement_invoice(
        &mut self,
        claim: ClaimId,
        after: &(Carrier, String),
    ) -> Result<(), ReplayError> {
        kakao_mut(&mut self.claims, claim)?.invoice = Some(after.clone());
        Ok(())
    }
}
