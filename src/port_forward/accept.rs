//! The accept loop: every connection gets its own task (and its own port-forward); the loop ends on SIGINT or
//! SIGTERM, then the listener and every open stream are closed before the process exits.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::task::JoinSet;

use super::connection::{self, Forwarder};

/// After `accept` fails (say, out of file descriptors), wait this long before accepting again instead of
/// spinning on the same error.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// SIGINT and SIGTERM handlers, installed before the "Forwarding from" line is printed so that a signal sent
/// right after it is not lost.
pub struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Resolves with the signal's name once one arrives.
    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Accepts until `stop` resolves, then closes the listener and all connections.
pub async fn serve(
    listener: TcpListener,
    fwd: Forwarder,
    stop: impl Future<Output = &'static str>,
) {
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            name = &mut stop => {
                tracing::info!(signal = name, open = connections.len(), "stopping");
                break;
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection::forward(stream, peer, fwd.clone()));
                }
                Err(err) => {
                    crate::output::warning(&format!("failed to accept a connection: {err}"));
                    tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Aborting a connection task drops its sockets and its WebSocket: both ends see the stream close.
    connections.shutdown().await;
}

/// Binds the local address; a non-loopback address is allowed with a warning.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    if !addr.ip().is_loopback() {
        crate::output::warning(&format!(
            "listening on {}, which is not a loopback address: anyone who can reach this machine can use the \
             forward, with your Kubernetes access",
            addr.ip()
        ));
    }
    TcpListener::bind(addr).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn port_zero_picks_a_free_port() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), 0);
    }
}
