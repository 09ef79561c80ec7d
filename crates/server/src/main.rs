//! `jumun-server`: see `--help`.

use jumun_server::collector::SchedulerConfig;
use jumun_server::config::{Invocation, ServerConfig, USAGE};
use jumun_server::sandbox::{SandboxConfig, SandboxHandle};
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
        Ok(Invocation::Sandbox(args)) => return jumun_server::sandbox::cli::run(args).await,
        Ok(Invocation::Backup(args)) => return jumun_server::maintenance::cli::run(args),
        Ok(Invocation::CopyToPostgres(args)) => {
            return jumun_server::maintenance::cli::run_copy(args)
        }
        Err(err) => {
            eprintln!("jumun-server: {err}");
            return ExitCode::from(2);
        }
    };
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
    // Kept alive while the server runs: dropping it stops the sandbox.
    let _sandbox = match config.sandbox {
        Some(seed) => match start_sandbox(&server, &config, seed).await {
            Ok(handle) => Some(handle),
            Err(err) => {
                eprintln!("jumun-server: {err}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("jumun-server: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the sandbox marketplace in-process next to the API and connects the demo store to it, so
/// a newcomer sees orders arriving. The sandbox listens on the API's port + 10 (a free port when
/// the API's is 0) and keeps its time zero in the data directory, so a restart resumes the same
/// timeline instead of replaying it into orders the console already has.
async fn start_sandbox(
    server: &Server,
    config: &ServerConfig,
    seed: u64,
) -> Result<SandboxHandle, String> {
    if !config.demo {
        return Err("--sandbox feeds the demo store: add --demo".to_owned());
    }
    let port = match server.local_addr() {
        Ok(addr) if addr.port() != 0 => addr.port().saturating_add(10),
        _ => 0,
    };
    let epoch = sandbox_epoch(&config.data_dir.join("sandbox-epoch"))?;
    let sandbox = jumun_server::sandbox::spawn(SandboxConfig {
        seed,
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        epoch: Some(epoch),
        ..SandboxConfig::default()
    })
    .await
    .map_err(|err| format!("cannot start the sandbox marketplace: {err}"))?;
    let connections = server
        .collector()
        .connect_demo_to_sandbox(&sandbox.base_url(), 5)
        .await
        .map_err(|err| format!("cannot connect the demo store to the sandbox: {err}"))?;
    println!(
        "sandbox marketplaces on {} (seed {seed}): the demo store collects {} of them every 5 s",
        sandbox.base_url(),
        connections.len()
    );
    Ok(sandbox)
}

/// The sandbox's time zero: read from `path`, or now, written there on first use.
fn sandbox_epoch(path: &std::path::Path) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => chrono::DateTime::parse_from_rfc3339(text.trim()).map_err(|err| {
            format!(
                "{} holds {:?}, not a time ({err}); delete the file to start the sandbox afresh",
                path.display(),
                text.trim()
            )
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let now = chrono::Utc::now().fixed_offset();
            std::fs::write(path, now.to_rfc3339())
                .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            Ok(now)
        }
        Err(err) => Err(format!("cannot read {}: {err}", path.display())),
    }
}
