//! `jumun-sandbox`: the marketplace sandbox on loopback; see `--help` and [`jumun_sandbox::cli`].

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    jumun_sandbox::cli::run(std::env::args().skip(1).collect()).await
}
