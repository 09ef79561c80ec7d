//! The console's sections: one entry per top-level navigation item and route.
//!
//! The navigation and the router are both built from [`SECTIONS`], so a section is added in one
//! place. Labels are the words Korean CS operators know from the tools they use today (seed 001).

/// One top-level section of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// URL path segment; empty for the dashboard at `/`.
    pub path: &'static str,
    /// Navigation label, in Korean.
    pub label: &'static str,
    /// What the section is for, shown as its lead paragraph.
    pub summary: &'static str,
    /// What the section will hold, shown as a list until its screens are built.
    pub holds: &'static [&'static str],
}

/// Every section, in navigation order.
pub const SECTIONS: &[Section] = &[
    Section {
        path: "",
        label: "대시보드",
        summary: "오늘 처리할 일을 한눈에 봅니다.",
        holds: &[
            "상태별 주문 수 (결제대기 · 상품준비 · 배송대기 · 배송중 · 배송완료)",
            "취소보류 · 교환보류 · 반품보류 건수와 철회 건수",
            "매칭되지 않은 취소 주문, 교환배송지연 건수",
            "판매처별 주문수집 · 취소연동 최근 실행 결과",
        ],
    },
    Section {
        path: "orders",
        label: "주문",
        summary: "판매처에서 수집한 주문을 검색하고 처리합니다.",
        holds: &[
            "기간 · 판매처 · 주문상태 · CS상태 · 보류 여부로 주문 검색",
            "수령자 · 전화번호 · 주문번호 · 관리번호 · 송장번호 검색",
            "일괄처리 (건수 제한 없음, 실패한 주문은 사유와 함께 표시)",
            "합포 · 주문나누기 · 부분배송",
        ],
    },
    Section {
        path: "cs",
        label: "고객CS",
        summary: "주문 한 건의 취소 · 반품 · 교환과 배송정보변경을 처리합니다.",
        holds: &[
            "취소 · 반품 · 교환 접수 (상품과 수량 선택, 사유 · 귀책사유 · 메모)",
            "배송정보변경 (합포된 주문 전체에 적용)",
            "C/S메모와 CS이력 (시간 · 작업자 · 변경 전후)",
            "보류 해제와 철회",
        ],
    },
    Section {
        path: "exchanges",
        label: "교환관리",
        summary: "교환 요청부터 교환배송완료까지 관리합니다.",
        holds: &[
            "교환요청 · 교환수거중 · 교환수거완료 · 교환배송준비중 · 교환배송중 · 교환배송완료",
            "맞교환, 판매처가 새 주문을 만드는 교환 (카페24 · 무신사)",
            "교환배송연기안내 (최대 2회)와 교환배송지연",
            "교환 옵션변동액 · 교환 배송비 · 총 교환 비용 · 총 환불 비용",
        ],
    },
    Section {
        path: "pickups",
        label: "수거/회수",
        summary: "반품 · 교환 상품의 수거를 추적하고 입고합니다.",
        holds: &[
            "수거상태: 예정 · 수거중 · 완료 · 미수 · 초과",
            "회수요청과 회수 배송비 (선착불 · 선불 · 사이트결제 · 동봉 · 계좌)",
            "상품별 도착수량 입력과 재입고",
        ],
    },
    Section {
        path: "shipping",
        label: "송장/배송",
        summary: "송장을 발급 · 출력하고 바코드 스캔으로 배송처리합니다.",
        holds: &[
            "택배사 연동 송장발급과 송장번호 일괄등록",
            "송장출력 (브라우저 인쇄 또는 USB 라벨프린터)",
            "송장 바코드 스캔으로 배송처리, 판매처로 송장전송",
            "보류 · 취소된 상품은 발급 · 출력 · 배송할 수 없음",
        ],
    },
    Section {
        path: "stock",
        label: "재고",
        summary: "품목별 재고와 판매처 상품 매칭을 관리합니다.",
        holds: &[
            "현재재고 · 할당재고 · 가용재고, 로케이션",
            "판매처 상품과 품목 매칭 · 매칭삭제",
            "재입고 내역",
        ],
    },
    Section {
        path: "settings",
        label: "설정",
        summary: "판매처 연동과 작업 환경을 설정합니다.",
        holds: &[
            "판매처 계정 연동과 수집 주기 (10–30분)",
            "택배사 계약 정보와 라벨프린터",
            "작업자와 권한 (대표 · 운영자 · 조회자)",
            "CS매크로와 알림 문구",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    // The app's tests run in the browser (the crate only builds for wasm), so they are
    // wasm-bindgen tests there and ordinary tests elsewhere.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sections_have_unique_paths_and_labels() {
        let paths: HashSet<_> = SECTIONS.iter().map(|s| s.path).collect();
        let labels: HashSet<_> = SECTIONS.iter().map(|s| s.label).collect();
        assert_eq!(paths.len(), SECTIONS.len());
        assert_eq!(labels.len(), SECTIONS.len());
    }

    #[test]
    fn every_section_says_what_it_will_hold() {
        for section in SECTIONS {
            assert!(!section.summary.is_empty(), "{}", section.label);
            assert!(!section.holds.is_empty(), "{}", section.label);
        }
    }
}
