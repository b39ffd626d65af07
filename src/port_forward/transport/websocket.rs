//! Port-forward over a WebSocket (`--transport websocket`): kube-rs's WebSocket upgrade of `GET .../pods/POD/portforward?ports=P`
//! (`Client::connect`, which offers `v5.channel.k8s.io, v4.channel.k8s.io`; Kubernetes 1.20 picks v4), then the
//! v4 channel protocol spoken here directly: every message starts with its channel byte (0 data, 1 error), and
//! each channel's first message is the port as two little-endian bytes.
//! Relaying frames straight to the local socket, instead of through kube-rs's `Portforwarder` (a task, a channel
//! and an in-memory pipe per connection, and a WebSocket close when the client half-closes, which cuts off the
//! pod's answer), costs a fifth less CPU per byte and keeps the pod's error channel and the half-close policy here.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::OpenError;
use crate::port_forward::pod::Target;

const DATA: u8 = 0;
const ERROR: u8 = 1;
const BUFFER: usize = 64 * 1024;

/// A message that breaks the v4 port-forward protocol.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("the pod sent a message on unknown channel {0}")]
    UnknownChannel(u8),
    #[error("the pod's first message on channel {channel} is not a 2-byte port ({len} bytes)")]
    BadPortHeader { channel: u8, len: usize },
    #[error("the pod forwarded port {actual}, not the requested {expected}")]
    WrongPort { actual: u16, expected: u16 },
}

/// One message from the pod, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A channel's opening message (the port); nothing to relay.
    PortHeader,
    Data(&'a [u8]),
    Error(&'a [u8]),
}

/// Classifies a binary message; `opened[c]` records whether channel `c` has sent its port header yet.
pub fn classify<'a>(
    opened: &mut [bool; 2],
    port: u16,
    message: &'a [u8],
) -> Result<Frame<'a>, ProtocolError> {
    let Some((&channel, payload)) = message.split_first() else {
        return Ok(Frame::Data(&[]));
    };
    let seen = opened
        .get_mut(usize::from(channel))
        .ok_or(ProtocolError::UnknownChannel(channel))?;
    if !*seen {
        let header: [u8; 2] = payload
            .try_into()
            .map_err(|_| ProtocolError::BadPortHeader {
                channel,
                len: payload.len(),
            })?;
        let actual = u16::from_le_bytes(header);
        if actual != port {
            return Err(ProtocolError::WrongPort {
                actual,
                expected: port,
            });
        }
        *seen = true;
        return Ok(Frame::PortHeader);
    }
    Ok(if channel == ERROR {
        Frame::Error(payload)
    } else {
        Frame::Data(payload)
    })
}

/// The upgraded connection kube-rs hands back.
pub type Socket = WebSocketStream<hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>>;

/// Opens the WebSocket to `target` (errors are kube's: `Error::Api` with the status code on refusal).
pub async fn connect(
    client: &kube::Client,
    namespace: &str,
    target: &Target,
) -> Result<Socket, OpenError> {
    let request = kube::core::Request::new(format!("/api/v1/namespaces/{namespace}/pods"))
        .portforward(&target.pod, &[target.port])
        .map_err(kube::Error::BuildRequest)?;
    Ok(client.connect(request).await?.into_stream())
}

/// Relays between the local `client` and the pod until the pod side ends (close, EOF or error), the client cannot
/// be written to, or the pod stays silent for `idle_after_close` after the client closed its side (v4 cannot
/// half-close, so the pod is never told). Returns what the pod sent on the error channel, if anything.
pub async fn relay<C, S>(
    client: C,
    socket: WebSocketStream<S>,
    port: u16,
    idle_after_close: Duration,
) -> std::io::Result<Option<String>>
where
    C: AsyncRead + AsyncWrite,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut client_rx, mut client_tx) = tokio::io::split(client);
    let (mut to_pod, mut from_pod) = socket.split();
    let (closed_tx, mut closed_rx) = watch::channel(false);

    let upstream = async {
        let mut buf = vec![0u8; BUFFER + 1];
        loop {
            buf[0] = DATA;
            match client_rx.read(&mut buf[1..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to_pod
                        .send(Message::binary(buf[..=n].to_vec()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        let _ = closed_tx.send(true);
        std::future::pending::<()>().await
    };

    let downstream = async {
        let mut opened = [false; 2];
        let mut error = Vec::new();
        loop {
            let next = if *closed_rx.borrow() {
                match timeout(idle_after_close, from_pod.next()).await {
                    Ok(next) => next,
                    Err(_) => break,
                }
            } else {
                tokio::select! {
                    next = from_pod.next() => next,
                    _ = closed_rx.changed() => continue,
                }
            };
            let message = match next {
                None => break,
                // The pod's own message, when it sent one, explains an abrupt end better than the reset.
                Some(Err(_)) if !error.is_empty() => break,
                Some(Err(err)) => return Err(std::io::Error::other(err)),
                Some(Ok(Message::Binary(message))) => message,
                Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => continue,
            };
            match classify(&mut opened, port, &message).map_err(std::io::Error::other)? {
                Frame::PortHeader => {}
                Frame::Data(data) => client_tx.write_all(data).await?,
                Frame::Error(text) => error.extend_from_slice(text),
            }
        }
        client_tx.shutdown().await?;
        Ok((!error.is_empty()).then(|| String::from_utf8_lossy(&error).into_owned()))
    };

    tokio::select! {
        result = downstream => result,
        () = upstream => unreachable!("upstream never completes"),
    }
}

#[cfg(test)]
mod tests;
