//! Graceful shutdown: SIGINT or SIGTERM flips a flag every task watches.

use crate::log;
use std::time::Duration;
use tokio::sync::watch;

/// A task's view of the shutdown flag.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// Creates the flag: the sender triggers shutdown, the [`Shutdown`] handles observe it.
pub fn channel() -> (watch::Sender<bool>, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (tx, Shutdown(rx))
}

impl Shutdown {
    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once shutdown is requested (or the sender is gone).
    pub async fn wait(&mut self) {
        // An error means the sender was dropped, which also means: stop.
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    /// Sleeps for `duration`; `false` if shutdown was requested meanwhile.
    pub async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(duration) => !self.requested(),
            () = self.wait() => false,
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            log::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                log::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => log::info!("SIGINT received, shutting down"),
        () = term => log::info!("SIGTERM received, shutting down"),
    }
}
