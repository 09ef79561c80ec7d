//! Writes the tests' tricky orders as `sample.xlsx` and `sample.csv` into a folder, to open them
//! by hand in Excel, LibreOffice or openpyxl:
//! `cargo run -p jumun-export --example sample -- /tmp/export-sample`.

#[path = "../tests/support/mod.rs"]
mod support;

use jumun_export::{Column, ColumnTemplate, Field, LineSelection};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let template = ColumnTemplate {
        name: "전체 필드".into(),
        columns: Field::ALL.iter().copied().map(Column::new).collect(),
        lines: LineSelection::All,
    };
    let orders = [support::tricky_order(), support::plain_order(20_002)];
    let written = jumun_export::xlsx(&template, &orders, support::now())
        .map_err(|e| e.to_string())
        .and_then(|xlsx| {
            std::fs::write(dir.join("sample.xlsx"), xlsx).map_err(|e| e.to_string())?;
            let csv = jumun_export::csv(&template, &orders).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("sample.csv"), csv).map_err(|e| e.to_string())
        });
    match written {
        Ok(()) => {
            println!("wrote sample.xlsx and sample.csv in {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("sample: {message}");
            ExitCode::FAILURE
        }
    }
}
