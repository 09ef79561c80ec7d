//! What a refused command asked for, named in a refusal so the operator knows which step was
//! refused (a queued operation may be refused by the server long after it was made).
//!
//! Each action is declared once with its English words (the `Display` of the refusal, for logs
//! and the API) and its Korean words (the console). On the wire an action is its English words,
//! as it was when the field was a plain string, so answers the server kept from before still
//! read; words this version does not know come back as [`Action::Other`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares [`Action`]: each variant with its English words and the Korean words that complete
/// "… 수 없습니다" (the verb in its ㄹ form, with its object).
macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $english:literal, $korean:literal;)*) => {
        /// What a refused command asked for.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum Action {
            $($(#[$doc])* $variant,)*
            /// Words this version does not know (an answer kept by an older or newer server).
            Other(String),
        }

        impl Action {
            /// The English words, as the refusal's `Display` reads them.
            pub fn english(&self) -> &str {
                match self {
                    $(Action::$variant => $english,)*
                    Action::Other(words) => words,
                }
            }

            /// The Korean words the console shows, the verb in its ㄹ form: they complete "… 수 없습니다".
            pub fn korean(&self) -> &str {
                match self {
                    $(Action::$variant => $korean,)*
                    Action::Other(_) => "처리할",
                }
            }
        }

        impl From<String> for Action {
            fn from(words: String) -> Self {
                match words.as_str() {
                    $($english => Action::$variant,)*
                    _ => Action::Other(words),
                }
            }
        }

        #[cfg(test)]
        impl Action {
            /// Every declared action (not [`Action::Other`]).
            pub(crate) const DECLARED: &'static [Action] = &[$(Action::$variant),*];
        }
    };
}

actions! {
    /// 입금확인 of a bank-transfer order (R2, R4).
    MarkPaid => "marked paid", "입금확인할";
    /// 송장 발급 (R28).
    IssueInvoice => "invoiced", "송장을 발급할";
    /// 송장출력 (R28).
    PrintLabel => "printed", "송장을 출력할";
    /// 배송처리 (R28).
    Ship => "shipped", "배송처리할";
    /// 배송완료 처리 (R2).
    MarkDelivered => "marked delivered", "배송완료 처리할";
    /// 송장 취소: the invoice is voided and the line goes back to 상품준비.
    VoidInvoice => "given back its invoice", "송장을 취소할";
    /// 구매확정 (R3).
    ConfirmPurchase => "purchase-confirmed", "구매확정할";
    /// 배송정보변경 after the parcel left (R7).
    ChangeDeliveryInfo => "given new delivery info (the parcel has left)", "배송정보를 변경할";
    /// 합포 (R6).
    Bundle => "bundled", "합포할";
    /// 합포 해제 while an invoice is issued (R6).
    Unbundle => "unbundled (void the invoice first)", "합포를 해제할";
    /// 주문나누기 (R8).
    SplitOrder => "split", "주문을 나눌";
    /// 나뉜 주문 합치기 (R8).
    MergeOrders => "merged", "주문을 합칠";
    /// Splitting a line that does not ship (cancelled or exchanged away, R8).
    SplitLine => "splitting", "주문을 나눌";
    /// 취소 (R10).
    Cancel => "cancelling", "취소할";
    /// 반품 · 교환 (R10).
    ReturnOrExchange => "returning or exchanging", "반품·교환할";
    /// 교환 (R10, R15).
    Exchange => "exchanging", "교환할";
    /// 철회 of an exchange (R12, R20).
    Withdraw => "withdrawing", "철회할";
    /// 철회 of a claim whose goods are back (R12, R14).
    WithdrawAfterArrival => "withdrawing the claim (the goods are back)", "클레임을 철회할";
    /// 교환 접수 (R19).
    AcceptExchange => "accepting", "교환을 접수할";
    /// 교환 수거 완료 처리 (R19).
    CompleteExchangePickup => "completing the pickup", "교환 수거 완료 처리할";
    /// 교환 수거 완료 확정 (R19).
    ConfirmExchange => "confirming", "교환 수거 완료 확정할";
    /// 교환 배송중 처리 (R19).
    ShipReplacement => "shipping the replacement", "교환 배송중 처리할";
    /// 교환 배송 완료 처리 (R19).
    MarkReplacementDelivered => "marking the replacement delivered", "교환 배송 완료 처리할";
    /// 교환 거부 (R20).
    RejectExchange => "rejecting", "교환을 거부할";
    /// 교환 상품 정보 수정 (R21).
    EditExchange => "editing the exchange", "교환 상품 정보를 수정할";
    /// 교환 송장 정보 수정 (R19).
    EditReplacementInvoice => "editing the replacement's invoice", "교환 송장 정보를 수정할";
    /// 교환 배송 연기 안내 (R22).
    AnnounceDelay => "announcing a delay", "교환 배송 연기를 안내할";
    /// Settling a Kakao Style exchange other than 동봉 or 송금 (R21).
    SettleOtherThanEnclosedOrTransfer => "paying other than enclosed or by transfer",
        "동봉·송금 외의 방법으로 교환 비용을 정산할";
    /// 수거중 처리 (R14).
    StartPickup => "starting the pickup", "수거중 처리할";
    /// 수거도착 입력 after the goods arrived (R14).
    RecordArrival => "recording another arrival", "수거도착을 다시 입력할";
    /// 재입고 before anything arrived (R14).
    Restock => "restocking (nothing has arrived)", "재입고할";
}

impl From<Action> for String {
    fn from(action: Action) -> Self {
        match action {
            Action::Other(words) => words,
            declared => declared.english().to_owned(),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.english())
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn each_action_crosses_the_wire_as_its_english_words_and_back() {
        for action in Action::DECLARED {
            let json = serde_json::to_string(action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.english()));
            assert_eq!(&serde_json::from_str::<Action>(&json).unwrap(), action);
        }
    }

    #[test]
    fn words_of_another_version_are_kept_as_they_came() {
        let action: Action = serde_json::from_str("\"teleporting\"").unwrap();
        assert_eq!(action, Action::Other("teleporting".into()));
        assert_eq!(serde_json::to_string(&action).unwrap(), "\"teleporting\"");
        assert_eq!(action.korean(), "처리할");
    }

    #[test]
    fn no_two_actions_share_their_english_words() {
        let mut words: Vec<&str> = Action::DECLARED.iter().map(Action::english).collect();
        words.sort_unstable();
        let count = words.len();
        words.dedup();
        assert_eq!(words.len(), count);
    }
}
