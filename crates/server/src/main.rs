//! `jumun-server`: see `--help`.

use jumun_server::collector::directory::{self, DemoMarketplacesError, DEMO_PERIOD_SECS};
use jumun_server::collector::SchedulerConfig;
use jumun_server::config::{Invocation, ServerConfig, USAGE};
use jumun_server::Server;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let config = match ServerConfig::from_args(std::env::args().skip(1), |k| std::env::var(k).ok())
    {
        Ok(Invocation::Serve(config)) => config,
        Ok(Invocation::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Backup(args)) => return jumun_server::maintenance::cli::run(args),
        Ok(Invocation::CopyToPostgres(args)) => {
            return jumun_server::maintenance::cli::run_copy(args)
        }
        Err(err) => {
            eprintln!("jumun-server: {err}");
            return ExitCode::from(2);
        }
    };
    jumun_server::marketplaces::clock::install(config.marketplace_clock);
    let server = match Server::bind(&config).await {
        Ok(server) => server.with_scheduler(SchedulerConfig::default()),
        Err(err) => {
            eprintln!("jumun-server: {err}");
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        // The task runner and the end-to-end tests wait for this exact line.
        Ok(addr) => println!("jumun-server listening on http://{addr}"),
        Err(err) => eprintln!("jumun-server: cannot read the bound address: {err}"),
    }
    if let Some(demo) = server.demo_login() {
        println!(
            "demo login: store {}, user {}, password {}",
            demo.store, demo.login, demo.password
        );
    }
    if let Some(url) = &config.demo_marketplaces {
        if let Err(err) = connect_demo_marketplaces(&server, url).await {
            eprintln!("jumun-server: {err}");
            return ExitCode::FAILURE;
        }
    }
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("jumun-server: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Connects the demo store to the marketplaces listed at `url` (`--demo-marketplaces`), so a
/// newcomer sees orders arriving, and says what it connected.
async fn connect_demo_marketplaces(
    server: &Server,
    url: &str,
) -> Result<(), DemoMarketplacesError> {
    let report = directory::connect_demo_store(server.collector(), url, DEMO_PERIOD_SECS).await?;
    for (marketplace, why) in &report.refused {
        eprintln!("jumun-server: not connected to {marketplace} from {url}: {why}");
    }
    println!(
        "demo store: collects {} marketplaces served at {url} every {DEMO_PERIOD_SECS} s",
        report.connected.len()
    );
    Ok(())
}
