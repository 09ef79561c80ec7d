//! The fold of the lifecycle (R1–R4, R28, R29): orders created, paid, invoiced, printed, shipped,
//! delivered, confirmed, uploaded; labels outdated; memos.

use super::{order_mut, with_lines, ReplayError};
use crate::book::Book;
use crate::ids::{LineId, OrderId};
use crate::order::{Invoice, InvoiceUpload, LineStatus, Memo, Order, OrderOrigin};
use chrono::{DateTime, Utc};

impl Book {
    pub(super) fn apply_order_created(&mut self, order: &Order) -> Result<(), ReplayError> {
        if self.orders.contains_key(&order.id) {
            return Err(ReplayError::Duplicate(format!("order {}", order.id)));
        }
        for line in &order.lines {
            if let Some(sku) = &line.sku {
                self.stock
                    .allocate(sku, i64::from(line.allocated_quantity()));
            }
        }
        if let Some(invoice) = &order.invoice {
            self.tracking
                .insert(invoice.tracking_no.clone(), vec![order.id]);
        }
        self.order_nos
            .add(&order.marketplace, &order.order_no, order.id);
        let lines: Vec<LineId> = order.lines.iter().map(|l| l.id).collect();
        self.orders.insert(order.id, order.clone());
        for line in lines {
            self.index_line(order.id, line);
        }
        Ok(())
    }

    pub(super) fn apply_payment_confirmed(
        &mut self,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?.dates.paid_at = Some(at);
        self.set_status(order, LineStatus::AwaitingPayment, LineStatus::Preparing)
    }

    pub(super) fn apply_invoice_issued(
        &mut self,
        orders: &[OrderId],
        invoice: &Invoice,
    ) -> Result<(), ReplayError> {
        for id in orders {
            order_mut(&mut self.orders, *id)?.invoice = Some(invoice.clone());
            self.set_status(*id, LineStatus::Preparing, LineStatus::ReadyToShip)?;
        }
        self.tracking
            .insert(invoice.tracking_no.clone(), orders.to_vec());
        Ok(())
    }

    pub(super) fn apply_invoice_voided(
        &mut self,
        orders: &[OrderId],
        invoice: &Invoice,
    ) -> Result<(), ReplayError> {
        for id in orders {
            order_mut(&mut self.orders, *id)?.invoice = None;
            // Cancelled lines too: no line may claim an invoice its order lost.
            with_lines(
                &mut self.orders,
                &mut self.stock,
                *id,
                |line| line.status == LineStatus::ReadyToShip,
                |line| line.status = LineStatus::Preparing,
            )?;
        }
        self.tracking.remove(&invoice.tracking_no);
        Ok(())
    }

    pub(super) fn apply_invoice_printed(
        &mut self,
        orders: &[OrderId],
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        for id in orders {
            if let Some(invoice) = &mut order_mut(&mut self.orders, *id)?.invoice {
                invoice.printed_at = Some(at);
                invoice.label_outdated = false;
            }
        }
        Ok(())
    }

    pub(super) fn apply_label_outdated(&mut self, orders: &[OrderId]) -> Result<(), ReplayError> {
        for id in orders {
            if let Some(invoice) = &mut order_mut(&mut self.orders, *id)?.invoice {
                if invoice.printed_at.is_some() {
                    invoice.label_outdated = true;
                }
            }
        }
        Ok(())
    }

    pub(super) fn apply_shipped(
        &mut self,
        id: OrderId,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let order = order_mut(&mut self.orders, id)?;
        order.dates.shipped_at = Some(at);
        if order.invoice_upload == InvoiceUpload::NotDue && order.origin != OrderOrigin::Seller {
            order.invoice_upload = InvoiceUpload::Pending;
        }
        // Shipped goods leave the warehouse: on hand goes down by what the parcel carries.
        let leaving: Vec<(crate::stock::Sku, u32)> = order
            .lines
            .iter()
            .filter(|l| l.status == LineStatus::ReadyToShip && l.ships())
            .filter_map(|l| l.sku.clone().map(|sku| (sku, l.quantity)))
            .collect();
        for (sku, units) in leaving {
            self.stock.move_on_hand(&sku, -i64::from(units));
        }
        self.set_status(id, LineStatus::ReadyToShip, LineStatus::InTransit)
    }

    pub(super) fn apply_delivered(
        &mut self,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?.dates.delivered_at = Some(at);
        self.set_status(order, LineStatus::InTransit, LineStatus::Delivered)
    }

    pub(super) fn apply_purchase_confirmed(
        &mut self,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?.dates.confirmed_at = Some(at);
        self.set_status(order, LineStatus::Delivered, LineStatus::PurchaseConfirmed)
    }

    pub(super) fn apply_invoice_uploaded(&mut self, order: OrderId) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?.invoice_upload = InvoiceUpload::Sent;
        Ok(())
    }

    pub(super) fn apply_memo(&mut self, order: OrderId, memo: &Memo) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?.memos.push(memo.clone());
        Ok(())
    }
}
