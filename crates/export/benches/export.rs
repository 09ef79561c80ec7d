//! Export benchmark (run: `cargo bench -p jumun-export`).
//!
//! Collects orders from the bench generator into a `jumun-core` book until they hold 100,000
//! lines (`JUMUN_EXPORT_LINES` to change it), issues invoices for the paid ones, then writes
//! them as .xlsx with the built-in `기본` template and with every field, and as CSV, in chunks
//! of 1,000 orders as the app does. Prints rows/s and bytes; asserts nothing about time. The
//! only checks are for correctness: every line written once, the file starts as a zip or with
//! a byte-order mark.

use jumun_bench::figures::{begin, env_number, finish, mb, ms, per_sec};
use jumun_bench::orders::{arriving_order, at, Rng};
use jumun_core::carrier::Carrier;
use jumun_core::ids::{IdBlock, OrderId};
use jumun_core::order::{LineStatus, Order};
use jumun_core::{Book, Command, Ctx};
use jumun_export::{Column, ColumnTemplate, CsvWriter, Field, LineSelection, XlsxWriter};
use std::process::ExitCode;
use std::time::Instant;

const CHUNK: usize = 1_000;

fn main() -> ExitCode {
    begin("jumun-export bench: 100,000 lines");
    finish(run())
}

fn run() -> Result<(), String> {
    let target = env_number("JUMUN_EXPORT_LINES", 100_000) as usize;
    let started = Instant::now();
    let (book, ids) = orders(target)?;
    let orders: Vec<&Order> = ids
        .iter()
        .map(|id| book.order(*id))
        .collect::<Result<_, _>>()
        .map_err(|refusal| refusal.to_string())?;
    let lines: usize = orders.iter().map(|o| o.lines.len()).sum();
    println!(
        "{} orders, {lines} lines, collected and invoiced in {}",
        orders.len(),
        ms(started.elapsed())
    );
    println!();

    let every_field = ColumnTemplate {
        name: "전체 필드".into(),
        columns: Field::ALL.iter().copied().map(Column::new).collect(),
        lines: LineSelection::All,
    };
    for template in [ColumnTemplate::basic(), every_field] {
        let (rows, bytes) = measure("xlsx", &template, &orders, || {
            let writer = XlsxWriter::new(&template, at(0)).map_err(|e| e.to_string())?;
            Ok(Box::new(writer))
        })?;
        check(rows == lines, "every line is a row of the workbook")?;
        check(bytes.starts_with(b"PK\x03\x04"), "the workbook is a zip")?;

        let (rows, bytes) = measure("csv", &template, &orders, || {
            let writer = CsvWriter::new(&template).map_err(|e| e.to_string())?;
            Ok(Box::new(writer))
        })?;
        check(rows == lines, "every line is a row of the CSV")?;
        check(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "the CSV has a BOM")?;
    }
    Ok(())
}

/// The two writers, as the bench drives them.
trait Writer {
    fn add(&mut self, order: &Order) -> Result<(), String>;
    fn rows(&self) -> usize;
    fn finish(self: Box<Self>) -> Vec<u8>;
}

impl Writer for XlsxWriter {
    fn add(&mut self, order: &Order) -> Result<(), String> {
        XlsxWriter::add(self, order).map_err(|e| e.to_string())
    }
    fn rows(&self) -> usize {
        XlsxWriter::rows(self)
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        XlsxWriter::finish(*self)
    }
}

impl Writer for CsvWriter {
    fn add(&mut self, order: &Order) -> Result<(), String> {
        CsvWriter::add(self, order);
        Ok(())
    }
    fn rows(&self) -> usize {
        CsvWriter::rows(self)
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        CsvWriter::finish(*self)
    }
}

/// Writes the orders in chunks with the writer `start` makes, timing it all from `start` to
/// the file's bytes; prints and returns the rows and the bytes.
fn measure(
    format: &str,
    template: &ColumnTemplate,
    orders: &[&Order],
    start: impl FnOnce() -> Result<Box<dyn Writer>, String>,
) -> Result<(usize, Vec<u8>), String> {
    let started = Instant::now();
    let mut writer = start()?;
    for chunk in orders.chunks(CHUNK) {
        for order in chunk {
            writer.add(order)?;
        }
    }
    let rows = writer.rows();
    let bytes = writer.finish();
    let took = started.elapsed();
    println!(
        "{format:<4} {} ({} columns): {rows} rows in {} = {} rows/s, {} ({} bytes/row)",
        template.name,
        template.columns.len(),
        ms(took),
        per_sec(rows, took),
        mb(bytes.len() as u64),
        bytes.len() / rows.max(1)
    );
    Ok((rows, bytes))
}

/// A book with orders holding at least `lines` lines, the paid ones invoiced; and their ids.
fn orders(lines: usize) -> Result<(Book, Vec<OrderId>), String> {
    let mut rng = Rng(0x5eed_e4e0);
    let mut book = Book::new();
    let mut ids = IdBlock::new(1, u64::MAX / 2);
    let mut order_ids = Vec::new();
    let mut held = 0;
    let mut n = 0;
    while held < lines {
        let now = at(n as i64 / 500);
        let new = arriving_order(&mut rng, n, &mut ids, now).map_err(|e| e.to_string())?;
        held += new.lines.len();
        let id = new.id;
        let ctx = Ctx::sync(&new.marketplace, now);
        book.execute(&Command::CollectOrder(new), &ctx)
            .map_err(|refusal| refusal.to_string())?;
        if book.order(id).map_err(|r| r.to_string())?.status() == LineStatus::Preparing {
            let command = Command::IssueInvoice {
                order: id,
                carrier: Carrier::cj(),
                tracking_no: format!("5{:011}", id.0),
            };
            book.execute(&command, &Ctx::operator("bench", now))
                .map_err(|refusal| refusal.to_string())?;
        }
        order_ids.push(id);
        n += 1;
    }
    Ok((book, order_ids))
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what.to_owned())
    }
}
