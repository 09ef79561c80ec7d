//! Jumun's task runner. `cargo xtask help` lists the commands.
//!
//! Plain Rust with no dependencies, so it builds in seconds on a fresh machine and every set-up
//! step lives in the project's own files.

mod postgres;
mod precache;
mod run;
mod system;
mod tasks;
mod toolchain;
mod tools;
mod workspace;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

COMMANDS:
    start      install what is missing, build the app, start the sandbox marketplace and the
               server with the demo store collecting from it, print the URL to open
    test       install what is missing, then fmt, clippy, native tests, browser (wasm) tests,
               and the end-to-end test in headless Chromium
    setup      install the build tools (add --test for the browser-test tools too)
    build      build the browser app into dist/ (release, wasm-opt); with --test-hooks, the
               build the end-to-end tests and browser benchmarks drive, into target/dist-e2e/
    serve      start the sandbox marketplace and the server on the app already in dist/
    help       this text

OPTIONS for start and serve:
    --addr HOST:PORT   where the server listens (default 127.0.0.1:8080)

ENVIRONMENT:
    JUMUN_WASM_TOOLCHAIN=rustup|debian   force how wasm is compiled (default: rustup's target if it
                                         is installed or installable, else Debian's rustc-web)
";

fn main() -> ExitCode {
    tools::prepend_tool_paths();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workspace = workspace::Workspace::locate();
    let started = std::time::Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("start") => tasks::start(&workspace, &args[1..]),
        Some("test") => tasks::test(&workspace),
        Some("setup") => tasks::setup(&workspace, args.iter().any(|a| a == "--test")).map(|_| ()),
        Some("build") => {
            let which = if args.iter().any(|a| a == "--test-hooks") {
                tasks::AppBuild::TestHooks
            } else {
                tasks::AppBuild::Shipped
            };
            tasks::build(&workspace, which).map(|_| ())
        }
        Some("serve") => tasks::serve(&workspace, &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(fail!("unknown command {other:?}; see `cargo xtask help`")),
    };
    let elapsed = started.elapsed().as_secs();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "\nxtask: {err}\n(after {}m {:02}s)",
                elapsed / 60,
                elapsed % 60
            );
            ExitCode::FAILURE
        }
    }
}
