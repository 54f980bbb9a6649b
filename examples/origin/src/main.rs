//! The demo origin: plays the ticketing service behind the edge waiting room.
//!
//! Sale windows pull fans from the edge (`POST /api/origin/sales/{sale}/pull`) while they have
//! free slots; fans arrive at `GET /purchase?pass=<jwt>` with their admission pass, which is
//! verified against the edge's JWKS and admitted once; buying or giving up completes or releases
//! the assignment at the edge and frees the slot. See docs/api.md.

mod app;
mod checkins;
mod config;
mod edge;
mod envfile;
#[cfg(test)]
mod flow_tests;
mod ids;
mod jwks;
mod log;
mod pages;
mod pass;
mod puller;
mod shutdown;
mod web;
mod windows;

use crate::app::App;
use crate::edge::{EdgeClient, EdgeError};
use std::fmt;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// How long the window tasks get to stop after the server has.
const STOP_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug)]
enum RunError {
    Client(EdgeError),
    Bind(SocketAddr, std::io::Error),
    Serve(std::io::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(e) => write!(f, "cannot set up the HTTP client: {e}"),
            Self::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            Self::Serve(e) => write!(f, "the web server failed: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

fn main() -> ExitCode {
    // Before any thread starts: the env file may set environment variables.
    let config = match config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("demo-origin: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("demo-origin: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: config::Config) -> Result<(), RunError> {
    let edge = EdgeClient::new(&config).map_err(RunError::Client)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| RunError::Bind(config.listen, e))?;
    let local = listener.local_addr().unwrap_or(config.listen);
    log::info!(
        "demo-origin: sale `{}` at {} with {} window(s) x {} fan(s), pulling every {:?}",
        config.sale,
        config.edge_url,
        config.windows,
        config.capacity,
        config.pace
    );
    log::info!("purchase page: http://{local}/purchase (status: http://{local}/)");

    let app = Arc::new(App::new(config, edge));
    let (stop, shutdown) = shutdown::channel();

    let jwks_app = Arc::clone(&app);
    tokio::spawn(async move { jwks_app.jwks.prefetch().await });

    let mut windows = JoinSet::new();
    for name in app.windows(|ws| ws.names()) {
        windows.spawn(puller::run(Arc::clone(&app), name, shutdown.clone()));
    }
    let mut server = tokio::spawn(web::serve(listener, Arc::clone(&app), shutdown.clone()));

    let served = tokio::select! {
        () = shutdown::signal() => {
            // Stop pulling, finish the requests in flight, then leave.
            let _ = stop.send(true);
            (&mut server).await
        }
        served = &mut server => {
            let _ = stop.send(true);
            served
        }
    };
    if tokio::time::timeout(STOP_GRACE, async {
        while windows.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        log::warning!("window tasks did not stop in time; leaving them");
    }
    log::info!("demo-origin: stopped");
    match served {
        Ok(result) => result.map_err(RunError::Serve),
        Err(join) => Err(RunError::Serve(std::io::Error::other(join))),
    }
}
