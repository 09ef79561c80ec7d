//! The line lifecycle (R1–R4) and shipping guards (R28, R29): collect (never twice, and never a
//! Cafe24 exchange's replacement lines, R18), pay, invoice, print, ship, deliver, confirm, upload.

use super::Book;
use crate::carrier::Carrier;
use crate::claim::{ClaimKind, Reason};
use crate::context::Ctx;
use crate::event::Change;
use crate::ids::OrderId;
use crate::order::{
    ClaimState, Invoice, InvoiceUpload, Line, LineStatus, NewLine, NewOrder, Order, OrderDates,
    OrderOrigin, Payment,
};
use crate::refusal::{Action, Refusal};
use crate::stock::ProductKey;
use std::collections::BTreeSet;

impl Book {
    pub(super) fn decide_collect(
        &self,
        new: &NewOrder,
        ctx: &Ctx,
        seller_created: bool,
    ) -> Result<Vec<Change>, Refusal> {
        if !seller_created {
            self.profile(&new.marketplace)?;
        }
        self.check_new_order_id(new.id)?;
        if new.lines.is_empty() {
            return Err(Refusal::NothingSelected);
        }
        let mut seen = BTreeSet::new();
        for line in &new.lines {
            if line.quantity == 0 {
                return Err(Refusal::BadQuantity {
                    line: line.id,
                    asked: 0,
                    available: u32::MAX,
                });
            }
            if !seen.insert(line.id) {
                return Err(Refusal::IdTaken {
                    what: "line".into(),
                    id: line.id.to_string(),
                });
            }
            self.check_new_line_id(line.id)?;
        }
        if !seller_created {
            self.check_not_collected(new)?;
        }
        let status = match new.payment {
            Payment::Paid => LineStatus::Preparing,
            Payment::BankTransfer { .. } => LineStatus::AwaitingPayment,
        };
        let paid_at = match new.payment {
            Payment::Paid => Some(new.paid_at.unwrap_or(new.ordered_at)),
            Payment::BankTransfer { .. } => None,
        };
        let lines = new
            .lines
            .iter()
            .map(|l| Line {
                id: l.id,
                keys: l.keys.clone(),
                product_name: l.product_name.clone(),
                option: l.option.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                option_price: l.option_price,
                sku: self
                    .stock
                    .linked(&product_key(&new.marketplace, l))
                    .cloned(),
                status,
                claim_state: ClaimState::Normal,
                hold: None,
                claim: None,
                split_of: None,
                replaces: None,
            })
            .collect();
        let order = Order {
            id: new.id,
            marketplace: new.marketplace.clone(),
            order_no: new.order_no.clone(),
            origin: if seller_created {
                OrderOrigin::Seller
            } else {
                OrderOrigin::Collected
            },
            payment: new.payment.clone(),
            dates: OrderDates {
                registered_at: ctx.now,
                ordered_at: new.ordered_at,
                paid_at,
                shipped_at: None,
                delivered_at: None,
                confirmed_at: None,
                cancelled_at: None,
            },
            delivery: new.delivery.clone(),
            lines,
            bundle: None,
            no_bundle: new.no_bundle,
            partial_shipping: false,
            invoice: None,
            invoice_upload: InvoiceUpload::NotDue,
            memos: Vec::new(),
            claims_after_confirmation: Vec::new(),
            withdrawn_claims: Vec::new(),
        };
        Ok(vec![Change::OrderCreated(Box::new(order))])
    }

    /// A collected order (not a seller's) must not be in the console already. Under an order
    /// number the console holds, lines whose keys it holds were collected before
    /// ([`Refusal::AlreadyCollected`]); new lines are collected as their own order (a marketplace
    /// that splits an order into parcels), except where the marketplace's exchanges change the
    /// line number (Cafe24): there they are an exchange's replacement lines and are refused
    /// ([`Refusal::ExchangeLinesOfCollectedOrder`], R18, decided by
    /// [`MarketplaceProfile::exchange_replacement_lines`](crate::marketplace::MarketplaceProfile::exchange_replacement_lines)).
    fn check_not_collected(&self, new: &NewOrder) -> Result<(), Refusal> {
        let existing = self.orders_with_order_no(&new.marketplace, &new.order_no);
        let holds = |id: &OrderId, line: &NewLine| {
            self.orders
                .get(id)
                .is_some_and(|order| order.lines.iter().any(|old| old.keys == line.keys))
        };
        let known: Vec<bool> = new
            .lines
            .iter()
            .map(|line| existing.iter().any(|id| holds(id, line)))
            .collect();
        let replacement = self
            .profile(&new.marketplace)?
            .exchange_replacement_lines(!existing.is_empty(), &known);
        if !replacement.is_empty() {
            return Err(Refusal::ExchangeLinesOfCollectedOrder {
                marketplace: new.marketplace.clone(),
                order_no: new.order_no.clone(),
                lines: replacement
                    .iter()
                    .filter_map(|i| new.lines.get(*i))
                    .map(|line| match &line.keys.line_no {
                        Some(line_no) => line_no.clone(),
                        None => format!("{} {}", line.product_name, line.option),
                    })
                    .collect(),
            });
        }
        match existing
            .iter()
            .find(|id| new.lines.iter().any(|line| holds(id, line)))
        {
            Some(existing) => Err(Refusal::AlreadyCollected {
                marketplace: new.marketplace.clone(),
                order_no: new.order_no.clone(),
                existing: *existing,
            }),
            None => Ok(()),
        }
    }

    pub(super) fn decide_confirm_payment(&self, id: OrderId) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        if self.cancelled_at_deadline(order) {
            return Err(Refusal::CannotRevive(id));
        }
        all_lines_at(order, LineStatus::AwaitingPayment, Action::MarkPaid)?;
        Ok(vec![Change::PaymentConfirmed { order: id }])
    }

    /// Whether the payment deadline cancelled this order (R4).
    pub(super) fn cancelled_at_deadline(&self, order: &Order) -> bool {
        order.is_cancelled()
            && order.lines.iter().any(|line| {
                line.claim
                    .and_then(|c| self.claims.get(&c))
                    .is_some_and(|c| {
                        c.kind == ClaimKind::Cancel && c.reason == Reason::PaymentDeadline
                    })
            })
    }

    /// The guard of R28: a held or cancelled line, or one exchanged away before shipping (R10,
    /// R18), is never invoiced, printed or shipped; the orders of the parcel that have lines to
    /// ship must have none held and all at `expected`, and at least one must have some.
    fn check_parcel(
        &self,
        parcel: &[OrderId],
        expected: LineStatus,
        action: Action,
    ) -> Result<(), Refusal> {
        let mut any = false;
        for id in parcel {
            let order = self.order(*id)?;
            // An order of a bundle with nothing left to ship (every line cancelled or exchanged
            // away) stays behind; the rest of the parcel goes.
            if !order.has_lines_to_ship() {
                continue;
            }
            any = true;
            for line in order.shipping_lines() {
                if let Some(hold) = &line.hold {
                    return Err(Refusal::OnHold {
                        order: *id,
                        line: line.id,
                        hold: hold.kind,
                    });
                }
                if line.status != expected {
                    return Err(Refusal::IllegalTransition {
                        line: line.id,
                        from: line.status,
                        action,
                    });
                }
            }
        }
        if !any {
            return Err(Refusal::AllCancelled(
                parcel.first().copied().unwrap_or(OrderId(0)),
            ));
        }
        Ok(())
    }

    pub(super) fn decide_issue_invoice(
        &self,
        id: OrderId,
        carrier: &Carrier,
        tracking_no: &str,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let tracking_no = tracking_no.trim();
        if carrier.0.trim().is_empty() || tracking_no.is_empty() {
            return Err(Refusal::MissingInvoiceNumber);
        }
        let parcel = self.parcel_of(id);
        for order in &parcel {
            if let Some(invoice) = &self.order(*order)?.invoice {
                return Err(Refusal::InvoiceAlreadyIssued {
                    order: *order,
                    tracking_no: invoice.tracking_no.clone(),
                });
            }
        }
        self.check_parcel(&parcel, LineStatus::Preparing, Action::IssueInvoice)?;
        if let Some(other) = self
            .orders_with_tracking(tracking_no)
            .and_then(|o| o.first())
        {
            return Err(Refusal::TrackingNoInUse {
                tracking_no: tracking_no.to_owned(),
                order: *other,
            });
        }
        Ok(vec![Change::InvoiceIssued {
            orders: parcel,
            invoice: Invoice {
                carrier: carrier.clone(),
                tracking_no: tracking_no.to_owned(),
                issued_at: ctx.now,
                printed_at: None,
                label_outdated: false,
            },
        }])
    }

    pub(super) fn decide_void_invoice(&self, id: OrderId) -> Result<Vec<Change>, Refusal> {
        let invoice = self
            .order(id)?
            .invoice
            .clone()
            .ok_or(Refusal::NoInvoice(id))?;
        let parcel = self.parcel_of(id);
        for order in &parcel {
            if let Some(line) = self
                .order(*order)?
                .shipping_lines()
                .find(|l| l.status != LineStatus::ReadyToShip)
            {
                return Err(Refusal::IllegalTransition {
                    line: line.id,
                    from: line.status,
                    action: Action::VoidInvoice,
                });
            }
        }
        Ok(vec![Change::InvoiceVoided {
            orders: parcel,
            invoice,
        }])
    }

    pub(super) fn decide_print(&self, id: OrderId) -> Result<Vec<Change>, Refusal> {
        let invoice = self
            .order(id)?
            .invoice
            .clone()
            .ok_or(Refusal::NoInvoice(id))?;
        let parcel = self.parcel_of(id);
        self.check_parcel(&parcel, LineStatus::ReadyToShip, Action::PrintLabel)?;
        Ok(vec![Change::InvoicePrinted {
            orders: parcel,
            tracking_no: invoice.tracking_no,
            reprint: invoice.printed_at.is_some(),
        }])
    }

    pub(super) fn decide_ship(&self, id: OrderId) -> Result<Vec<Change>, Refusal> {
        let invoice = self
            .order(id)?
            .invoice
            .clone()
            .ok_or(Refusal::NoInvoice(id))?;
        let parcel = self.parcel_of(id);
        self.check_parcel(&parcel, LineStatus::ReadyToShip, Action::Ship)?;
        for order in &parcel {
            let invoice = self.order(*order)?.invoice.as_ref();
            if invoice.is_some_and(|i| i.label_outdated) {
                return Err(Refusal::LabelOutdated(*order));
            }
            if invoice.is_none_or(|i| i.printed_at.is_none()) {
                return Err(Refusal::NotPrinted(*order));
            }
        }
        Ok(vec![Change::Shipped {
            orders: parcel,
            tracking_no: invoice.tracking_no,
        }])
    }

    pub(super) fn decide_scan(&self, tracking_no: &str) -> Result<Vec<Change>, Refusal> {
        let order = self
            .orders_with_tracking(tracking_no)
            .and_then(|orders| orders.first())
            .ok_or_else(|| Refusal::UnknownInvoice(tracking_no.trim().to_owned()))?;
        self.decide_ship(*order)
    }

    pub(super) fn decide_delivered(&self, id: OrderId) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        all_lines_at(order, LineStatus::InTransit, Action::MarkDelivered)?;
        Ok(vec![Change::Delivered { order: id }])
    }

    pub(super) fn decide_confirm_purchase(
        &self,
        id: OrderId,
        automatic: bool,
    ) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        let delivered: Vec<&Line> = order
            .shipping_lines()
            .filter(|l| l.status == LineStatus::Delivered)
            .collect();
        if delivered.is_empty() {
            let line = order.lines.first().ok_or(Refusal::NothingSelected)?;
            return Err(Refusal::IllegalTransition {
                line: line.id,
                from: line.status,
                action: Action::ConfirmPurchase,
            });
        }
        Ok(vec![Change::PurchaseConfirmed {
            order: id,
            automatic,
        }])
    }

    pub(super) fn decide_invoice_upload(&self, id: OrderId) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        match (&order.invoice, order.invoice_upload) {
            (Some(invoice), InvoiceUpload::Pending) => Ok(vec![Change::InvoiceUploaded {
                order: id,
                tracking_no: invoice.tracking_no.clone(),
            }]),
            _ => Err(Refusal::NothingToUpload(id)),
        }
    }
}

/// R2: an order moves only when every line it ships is at `expected`.
fn all_lines_at(order: &Order, expected: LineStatus, action: Action) -> Result<(), Refusal> {
    if let Some(line) = order.shipping_lines().find(|l| l.status != expected) {
        return Err(Refusal::IllegalTransition {
            line: line.id,
            from: line.status,
            action,
        });
    }
    if order.shipping_lines().next().is_none() {
        return Err(Refusal::AllCancelled(order.id));
    }
    Ok(())
}

/// The product key a line links to stock by: its product code, or its name when the
/// marketplace sends no code (R30).
pub(crate) fn product_key(
    marketplace: &crate::marketplace::MarketplaceCode,
    line: &crate::order::NewLine,
) -> ProductKey {
    ProductKey {
        marketplace: marketplace.clone(),
        product: line
            .keys
            .product_code
            .clone()
            .unwrap_or_else(|| line.product_name.clone()),
        option: line.option.clone(),
    }
}
