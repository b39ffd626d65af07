//! The port-forward stream itself, in one of the two protocols the API server offers for
//! `pods/PORT/portforward`: SPDY/3.1 (what kubectl speaks; the default, [`spdy`]) or a WebSocket with the v4
//! channel protocol (kube-rs's upgrade, [`websocket`]). Each forwarded connection gets a stream of its own.

mod spdy;
mod websocket;

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use super::pod::Target;

/// `--transport`: how a connection reaches the pod.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// SPDY/3.1, as kubectl: passes a half-close on as FIN; the cheaper path on the container runtime.
    #[default]
    Spdy,
    /// WebSocket (v4.channel.k8s.io) via kube-rs: for proxies in front of the API server that pass WebSocket
    /// upgrades but not SPDY.
    Websocket,
}

/// Why a port-forward could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The API refused or could not be reached (`Error::Api` carries the HTTP code, 403 for RBAC).
    #[error(transparent)]
    Kube(#[from] kube::Error),
    /// The upgrade or the stream set-up went wrong after the API accepted the request.
    #[error("{0}")]
    Upgrade(String),
    #[error("the port-forward connection failed: {0}")]
    Io(#[source] std::io::Error),
}

/// An open port-forward to one pod port.
pub enum Stream {
    Spdy(spdy::Stream),
    /// Boxed: a WebSocket's state is three times a SPDY stream's, and it is the exception.
    WebSocket(Box<websocket::Socket>),
}

pub async fn connect(
    transport: Transport,
    client: &kube::Client,
    namespace: &str,
    target: &Target,
) -> Result<Stream, OpenError> {
    Ok(match transport {
        Transport::Spdy => Stream::Spdy(spdy::connect(client, namespace, target).await?),
        Transport::Websocket => Stream::WebSocket(Box::new(
            websocket::connect(client, namespace, target).await?,
        )),
    })
}

/// Relays between the local `client` and the pod until the pod's side ends; returns what the pod reported on
/// the error stream, if anything. `idle_after_close` bounds the WebSocket relay after the client closed its side
/// (v4 cannot pass a half-close on; SPDY sends FIN, and the server then ends the stream itself).
pub async fn relay<C>(
    client: C,
    stream: Stream,
    port: u16,
    idle_after_close: Duration,
) -> std::io::Result<Option<String>>
where
    C: AsyncRead + AsyncWrite,
{
    match stream {
        Stream::Spdy(stream) => spdy::relay(client, stream).await,
        Stream::WebSocket(socket) => {
            websocket::relay(client, *socket, port, idle_after_close).await
        }
    }
}
