//! The fold of pickups (R13, R14): created, started, arrived, restocked.

use super::ReplayError;
use crate::book::Book;
use crate::ids::{LineId, PickupId};
use crate::pickup::{Pickup, PickupState};
use chrono::{DateTime, Utc};

impl Book {
    pub(super) fn apply_pickup_created(&mut self, pickup: &Pickup) -> Result<(), ReplayError> {
        if self.pickups.contains_key(&pickup.id) {
            return Err(ReplayError::Duplicate(format!("pickup {}", pickup.id)));
        }
        self.claims
            .get_mut(&pickup.claim)
            .ok_or(ReplayError::MissingClaim(pickup.claim))?
            .pickup = Some(pickup.id);
        self.pickups.insert(pickup.id, pickup.clone());
        Ok(())
    }

    pub(super) fn apply_pickup_started(&mut self, pickup: PickupId) -> Result<(), ReplayError> {
        self.pickups
            .get_mut(&pickup)
            .ok_or(ReplayError::MissingPickup(pickup))?
            .state = PickupState::PickingUp;
        Ok(())
    }

    pub(super) fn apply_pickup_arrived(
        &mut self,
        pickup: PickupId,
        arrived: &[(LineId, u32)],
        after: PickupState,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let found = self
            .pickups
            .get_mut(&pickup)
            .ok_or(ReplayError::MissingPickup(pickup))?;
        for (line, units) in arrived {
            if let Some(l) = found.lines.iter_mut().find(|l| l.line == *line) {
                l.arrived += units;
            }
        }
        found.state = after;
        found.arrived_at = Some(at);
        Ok(())
    }

    /// 입고: arrived units go back on hand (R14, R30).
    pub(super) fn apply_restocked(
        &mut self,
        pickup: PickupId,
        lines: &[(LineId, u32)],
    ) -> Result<(), ReplayError> {
        let found = self
            .pickups
            .get_mut(&pickup)
            .ok_or(ReplayError::MissingPickup(pickup))?;
        let order = found.order;
        for (line, units) in lines {
            if let Some(l) = found.lines.iter_mut().find(|l| l.line == *line) {
                l.restocked += units;
            }
        }
        let order = self
            .orders
            .get(&order)
            .ok_or(ReplayError::MissingOrder(order))?;
        for (line, units) in lines {
            if let Some(sku) = order.line(*line).and_then(|l| l.sku.clone()) {
                self.stock.move_on_hand(&sku, i64::from(*units));
            }
        }
        Ok(())
    }
}
