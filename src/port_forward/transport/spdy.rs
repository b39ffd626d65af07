//! Port-forward over SPDY/3.1, the protocol `kubectl port-forward` speaks: `POST .../pods/POD/portforward` with
//! `Upgrade: SPDY/3.1` and `X-Stream-Protocol-Version: portforward.k8s.io`, then, on the upgraded connection, an
//! error stream and a data stream per forwarded connection ([`session`]). Unlike the v4 WebSocket protocol, SPDY
//! can close one direction (a client's half-close goes to the server as FIN), and Kubernetes 1.20's container
//! runtime serves it for less than half the CPU per byte (docs/port-forward.md, "Throughput").

mod frame;
mod session;
mod step;

use std::time::Duration;

use futures::FutureExt as _;
use hyper_util::rt::TokioIo;
use tokio::io::{
    AsyncBufReadExt as _, AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, BufReader,
    BufWriter, ReadHalf, WriteHalf,
};
use tokio::sync::Mutex;
use tokio::time::Instant;

use self::frame::{HeaderCompressor, HEADER_LEN};
use self::session::{Session, DATA_STREAM, ERROR_STREAM};
use self::step::{step, Step};
use super::OpenError;
use crate::port_forward::pod::Target;

pub const PROTOCOL: &str = "portforward.k8s.io";
/// Bytes read from the local connection per data frame.
const CHUNK: usize = 64 * 1024;
/// Read buffer on the server's side: several of the runtime's 32 KiB frames per read.
const READ_BUFFER: usize = 256 * 1024;
/// Bytes for the local client gathered into one write while more are readable at once (TLS hands them over a
/// record, at most 16 KiB, at a time).
const CLIENT_BATCH: usize = 128 * 1024;
/// How long the server may take to accept the streams (kubectl waits 30 s for a SYN_REPLY too).
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// After the pod's side of the data stream ends, how long to wait for the rest of the error stream (the
/// server closes the error stream first, so this is only a bound).
const ERROR_GRACE: Duration = Duration::from_secs(1);

type Upgraded = TokioIo<hyper::upgrade::Upgraded>;

/// An accepted port-forward: the upgraded connection with both streams open and the data stream replied to.
pub struct Stream<T = Upgraded> {
    reader: BufReader<ReadHalf<T>>,
    writer: WriteHalf<T>,
    session: Session,
}

/// Upgrades to SPDY and opens the error and data streams for `target`'s port.
pub async fn connect(
    client: &kube::Client,
    namespace: &str,
    target: &Target,
) -> Result<Stream, OpenError> {
    let request = http::Request::post(format!(
        "/api/v1/namespaces/{namespace}/pods/{}/portforward?ports={}",
        target.pod, target.port
    ))
    .header(http::header::CONNECTION, "Upgrade")
    .header(http::header::UPGRADE, "SPDY/3.1")
    .header("X-Stream-Protocol-Version", PROTOCOL)
    .body(kube::client::Body::from(Vec::new()))
    .map_err(|e| OpenError::Kube(kube::Error::HttpError(e)))?;
    let response = client.send(request).await?;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        return Err(api_error(response).await.into());
    }
    if status != http::StatusCode::SWITCHING_PROTOCOLS {
        return Err(OpenError::Upgrade(format!(
            "the server answered the SPDY upgrade with HTTP {status}, not 101"
        )));
    }
    let agreed = response
        .headers()
        .get("X-Stream-Protocol-Version")
        .and_then(|v| v.to_str().ok());
    if agreed.is_some_and(|v| v != PROTOCOL) {
        return Err(OpenError::Upgrade(format!(
            "the server chose stream protocol {agreed:?}, not {PROTOCOL}"
        )));
    }
    let upgraded = hyper::upgrade::on(response).await.map_err(|e| {
        OpenError::Kube(kube::Error::UpgradeConnection(
            kube::client::UpgradeConnectionError::GetPendingUpgrade(e),
        ))
    })?;
    open(TokioIo::new(upgraded), target.port).await
}

/// Opens the error and data streams for `port` on an upgraded connection and waits for the server to accept
/// the data stream.
async fn open<T: AsyncRead + AsyncWrite>(io: T, port: u16) -> Result<Stream<T>, OpenError> {
    let (reader, mut writer) = tokio::io::split(io);
    let port = port.to_string();
    let mut headers = HeaderCompressor::default();
    // The error stream is half-closed at once (FIN): the client never writes on it.
    let mut opening = headers.syn_stream(
        ERROR_STREAM,
        true,
        &[("streamtype", "error"), ("port", &port), ("requestid", "0")],
    );
    opening.extend(headers.syn_stream(
        DATA_STREAM,
        false,
        &[("streamtype", "data"), ("port", &port), ("requestid", "0")],
    ));
    send(&mut writer, &opening).await.map_err(OpenError::Io)?;

    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    let mut session = Session::default();
    let deadline = Instant::now() + REPLY_TIMEOUT;
    let mut nowhere = tokio::io::sink();
    while !session.replied() {
        // Error-stream text may come before the data stream's SYN_REPLY; pod data cannot.
        let step = step(&mut reader, &mut session, &mut nowhere);
        match tokio::time::timeout_at(deadline, step).await {
            Err(_) => {
                return Err(OpenError::Upgrade(format!(
                    "the server did not accept the port-forward streams within {REPLY_TIMEOUT:?}"
                )))
            }
            Ok(Err(err)) => return Err(OpenError::Io(err)),
            Ok(Ok(Step::Continue)) => {}
            Ok(Ok(Step::Answer(frame))) => {
                send(&mut writer, &frame).await.map_err(OpenError::Io)?
            }
            Ok(Ok(Step::End)) => {
                return Err(OpenError::Upgrade(session.error_message().unwrap_or_else(
                    || {
                        "the server closed the SPDY connection before accepting the streams"
                            .to_string()
                    },
                )))
            }
        }
    }
    Ok(Stream {
        reader,
        writer,
        session,
    })
}

/// A refused upgrade's `metav1.Status` (or its plain text) as kube's `Error::Api`.
async fn api_error(response: http::Response<kube::client::Body>) -> kube::Error {
    let code = response.status().as_u16();
    let text = match response.into_body().collect_bytes().await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) => return err,
    };
    let status = serde_json::from_str::<kube::core::Status>(&text).unwrap_or_else(|_| {
        kube::core::Status::failure(text.trim(), "UpgradeFailed").with_code(code)
    });
    kube::Error::Api(status.boxed())
}

async fn send<W: AsyncWrite + Unpin>(writer: &mut W, bytes: &[u8]) -> std::io::Result<()> {
    writer.write_all(bytes).await?;
    writer.flush().await
}

/// Relays between the local `client` and the pod until the pod's side of the data stream ends (its FIN, then
/// the rest of the error stream), the connection ends, or the client fails. The client's half-close is passed on
/// as FIN. Returns what the server wrote on the error stream, if anything.
pub async fn relay<C, T>(client: C, stream: Stream<T>) -> std::io::Result<Option<String>>
where
    C: AsyncRead + AsyncWrite,
    T: AsyncRead + AsyncWrite,
{
    let Stream {
        mut reader,
        writer,
        mut session,
    } = stream;
    let (mut client_rx, client_tx) = tokio::io::split(client);
    let writer = Mutex::new(writer);

    let upstream = async {
        let mut buf = vec![0u8; HEADER_LEN + CHUNK];
        loop {
            let n = match client_rx.read(&mut buf[HEADER_LEN..]).await {
                Ok(n) => n,
                // A local reset: the connection is over for both sides.
                Err(_) => return,
            };
            buf[..HEADER_LEN].copy_from_slice(&frame::data_header(DATA_STREAM, n == 0, n));
            if send(&mut *writer.lock().await, &buf[..HEADER_LEN + n])
                .await
                .is_err()
                || n == 0
            {
                break;
            }
        }
        std::future::pending::<()>().await
    };

    let downstream = async {
        let mut client_tx = BufWriter::with_capacity(CLIENT_BATCH, client_tx);
        // Set once the pod's side has ended (and the client's write side is shut): the error stream's deadline.
        let mut grace = None;
        while !(session.data_closed() && session.error_closed()) {
            // The pod's bytes are batched while more are readable at once, and written out before waiting on
            // the network: in a bulk transfer fewer, larger writes (and wake-ups of the client); no added latency.
            match reader.fill_buf().now_or_never() {
                None => client_tx.flush().await?,
                Some(Err(err)) => return Err(err),
                Some(Ok(_)) => {}
            }
            let next = step(&mut reader, &mut session, &mut client_tx);
            let step = match grace {
                None => next.await?,
                Some(deadline) => match tokio::time::timeout_at(deadline, next).await {
                    Ok(step) => step?,
                    Err(_) => break,
                },
            };
            match step {
                Step::Continue => {}
                Step::Answer(frame) => send(&mut *writer.lock().await, &frame).await?,
                Step::End => break,
            }
            if session.data_closed() && grace.is_none() {
                client_tx.shutdown().await?;
                grace = Some(Instant::now() + ERROR_GRACE);
            }
        }
        if grace.is_none() {
            client_tx.shutdown().await?;
        }
        Ok(session.error_message())
    };

    tokio::select! {
        result = downstream => result,
        () = upstream => Ok(None),
    }
}

#[cfg(test)]
mod tests;
