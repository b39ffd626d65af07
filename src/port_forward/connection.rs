//! One accepted connection: wait (bounded) for a Ready pod, open a fresh port-forward to it, and copy bytes
//! both ways until the pod side closes. A fresh forward per connection is what makes a replaced pod cost only
//! the connections open at the time (kube-rs `examples/pod_portforward_bind.rs` shape).

use std::net::SocketAddr;
use std::time::Duration;

use futures::FutureExt as _;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Portforwarder;
use kube::Api;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{timeout, timeout_at, Instant};

use super::pod::Target;

/// After a failed `portforward` to the current pod, how long to wait for the watcher to name another pod before
/// trying the same one again (a transient API error should not cost the whole wait).
const RETRY_SAME_POD_AFTER: Duration = Duration::from_secs(1);

/// The WebSocket subprotocol 1.20 speaks (`v4.channel.k8s.io`) cannot half-close a stream: once the local client
/// has closed its side we cannot tell the pod. We keep relaying the pod's answer, and end the connection when the
/// pod closes or stays silent this long, so a client that went away does not pin a stream forever.
const IDLE_AFTER_CLIENT_CLOSED: Duration = Duration::from_secs(10);

const BUFFER: usize = 64 * 1024;

/// What every connection task needs: the API to open forwards with and the current target.
#[derive(Clone)]
pub struct Forwarder {
    pub pods: Api<Pod>,
    pub targets: watch::Receiver<Option<Target>>,
    pub ready_timeout: Duration,
}

/// Why a connection was closed without reaching a pod.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no Ready pod within {0:?}; closing it")]
    NoReadyPod(Duration),
    #[error("the pod watcher stopped")]
    WatcherStopped,
    #[error(
        "forbidden to port-forward to pod {pod}: the user needs verb `create` on `pods/portforward` in this \
         namespace (see the Role in docs/port-forward.md)"
    )]
    Forbidden {
        pod: String,
        #[source]
        source: kube::Error,
    },
    #[error("could not open a port-forward to pod {target} within {waited:?}; closing it")]
    Unreachable {
        target: Target,
        waited: Duration,
        #[source]
        source: kube::Error,
    },
    #[error("the pod has no stream for port {0}")]
    NoStream(u16),
}

/// Forwards one local connection; errors are reported on stderr, never end the accept loop.
pub async fn forward(client: TcpStream, peer: SocketAddr, fwd: Forwarder) {
    let (target, mut pf) = match open(&fwd).await {
        Ok(opened) => opened,
        Err(err) => {
            crate::output::warning(&format!(
                "connection from {peer}: {:#}",
                anyhow::Error::new(err)
            ));
            return;
        }
    };
    let Some(upstream) = pf.take_stream(target.port) else {
        crate::output::warning(&format!(
            "connection from {peer}: {}",
            OpenError::NoStream(target.port)
        ));
        pf.abort();
        return;
    };
    let pod_error = pf.take_error(target.port);
    tracing::info!(%peer, %target, "forwarding connection");
    if let Err(err) = pump(client, upstream, IDLE_AFTER_CLIENT_CLOSED).await {
        tracing::info!(%peer, %target, error = %err, "connection ended with an error");
    }
    // The pod side has closed (or the client is gone): nothing more will flow on this WebSocket.
    pf.abort();
    if let Some(Some(message)) = pod_error.and_then(|f| f.now_or_never()) {
        crate::output::warning(&format!(
            "connection from {peer} to pod {target}: {message}"
        ));
    }
}

/// Waits for a target and opens a port-forward to it, retrying on the next target when opening fails.
async fn open(fwd: &Forwarder) -> Result<(Target, Portforwarder), OpenError> {
    let deadline = Instant::now() + fwd.ready_timeout;
    let mut targets = fwd.targets.clone();
    loop {
        let target = match timeout_at(deadline, targets.wait_for(Option::is_some)).await {
            Err(_) => return Err(OpenError::NoReadyPod(fwd.ready_timeout)),
            Ok(Err(_)) => return Err(OpenError::WatcherStopped),
            Ok(Ok(current)) => current.clone().expect("wait_for returned a target"),
        };
        match fwd.pods.portforward(&target.pod, &[target.port]).await {
            Ok(pf) => return Ok((target, pf)),
            Err(kube::Error::Api(status)) if status.code == 403 => {
                return Err(OpenError::Forbidden {
                    pod: target.pod,
                    source: kube::Error::Api(status),
                })
            }
            Err(err) => {
                tracing::warn!(%target, error = %err, "failed to open a port-forward; waiting for another pod");
                let other = targets.wait_for(|t| t.as_ref() != Some(&target));
                let _ =
                    timeout_at(deadline.min(Instant::now() + RETRY_SAME_POD_AFTER), other).await;
                if Instant::now() >= deadline {
                    return Err(OpenError::Unreachable {
                        target,
                        waited: fwd.ready_timeout,
                        source: err,
                    });
                }
            }
        }
    }
}

/// Copies client → pod and pod → client concurrently; returns when the pod side ends (EOF or error), when the
/// client cannot be written to, or when the pod stays silent for a while after the client
/// closed its side (`idle_after_close`, [`IDLE_AFTER_CLIENT_CLOSED`] in use).
async fn pump<C, U>(client: C, upstream: U, idle_after_close: Duration) -> std::io::Result<()>
where
    C: AsyncRead + AsyncWrite,
    U: AsyncRead + AsyncWrite,
{
    let (mut client_rx, mut client_tx) = tokio::io::split(client);
    let (mut pod_rx, mut pod_tx) = tokio::io::split(upstream);
    let (closed_tx, mut closed_rx) = watch::channel(false);

    let to_pod = async {
        // Neither EOF nor an error from the client is propagated: v4 cannot half-close, and the pod may still be
        // answering. The other direction notices the client is gone.
        let _ = tokio::io::copy_buf(
            &mut tokio::io::BufReader::with_capacity(BUFFER, &mut client_rx),
            &mut pod_tx,
        )
        .await;
        let _ = pod_tx.flush().await;
        let _ = closed_tx.send(true);
        std::future::pending::<()>().await
    };

    let from_pod = async {
        let mut buf = vec![0u8; BUFFER];
        loop {
            let n = if *closed_rx.borrow() {
                match timeout(idle_after_close, pod_rx.read(&mut buf)).await {
                    Ok(read) => read?,
                    Err(_) => break,
                }
            } else {
                tokio::select! {
                    read = pod_rx.read(&mut buf) => read?,
                    _ = closed_rx.changed() => continue,
                }
            };
            if n == 0 {
                break;
            }
            client_tx.write_all(&buf[..n]).await?;
        }
        client_tx.shutdown().await
    };

    tokio::select! {
        result = from_pod => result,
        () = to_pod => unreachable!("to_pod never completes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pod_answer_after_client_half_close_is_delivered() {
        let (mut client, client_far) = tokio::io::duplex(1024);
        let (mut pod, pod_far) = tokio::io::duplex(1024);
        let pumping = tokio::spawn(pump(client_far, pod_far, IDLE_AFTER_CLIENT_CLOSED));

        client.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
        client.shutdown().await.unwrap();
        let mut request = vec![0u8; 18];
        pod.read_exact(&mut request).await.unwrap();
        assert_eq!(&request, b"GET / HTTP/1.0\r\n\r\n");
        pod.write_all(b"HTTP/1.0 200 OK\r\n\r\nhello")
            .await
            .unwrap();
        drop(pod);

        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert_eq!(answer, "HTTP/1.0 200 OK\r\n\r\nhello");
        pumping.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_silent_pod_is_let_go_after_the_client_closed() {
        let (client, client_far) = tokio::io::duplex(1024);
        let (_pod, pod_far) = tokio::io::duplex(1024);
        drop(client);
        // The pod never answers nor closes; the pump still returns (the test would hang otherwise).
        pump(client_far, pod_far, Duration::from_millis(50))
            .await
            .unwrap();
    }

    /// A client whose API answers every request with `status` (a `metav1.Status` body), counting requests.
    fn client_answering(
        status: u16,
    ) -> (kube::Client, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use http::{Request, Response};
        use kube::client::Body;
        let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Some((request, send)) = handle.next_request().await {
                assert!(
                    request.uri().path().ends_with("/portforward"),
                    "{}",
                    request.uri()
                );
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": "no", "reason": "x", "code": status});
                let response = Response::builder()
                    .status(status)
                    .body(Body::from(serde_json::to_vec(&body).unwrap()))
                    .unwrap();
                send.send_response(response);
            }
        });
        (kube::Client::new(service, "default"), count)
    }

    fn forwarder(client: kube::Client, target: Option<Target>) -> Forwarder {
        let (tx, targets) = watch::channel(target);
        std::mem::forget(tx); // the watcher stays "running" for the test
        Forwarder {
            pods: Api::namespaced(client, "dagu"),
            targets,
            ready_timeout: Duration::from_millis(300),
        }
    }

    fn ui_pod() -> Option<Target> {
        Some(Target {
            pod: "dagu-ui-1".into(),
            port: 8080,
        })
    }

    #[tokio::test]
    async fn forbidden_is_reported_at_once_with_the_rbac_fix() {
        let (client, count) = client_answering(403);
        let err = open(&forwarder(client, ui_pod())).await.err().unwrap();
        assert!(matches!(err, OpenError::Forbidden { .. }), "{err}");
        assert!(err.to_string().contains("pods/portforward"), "{err}");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_pod_that_cannot_be_reached_is_retried_until_the_wait_ends() {
        let (client, count) = client_answering(404);
        let err = open(&forwarder(client, ui_pod())).await.err().unwrap();
        assert!(matches!(err, OpenError::Unreachable { .. }), "{err}");
        assert!(count.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    }

    #[tokio::test]
    async fn without_a_ready_pod_the_connection_waits_then_gives_up() {
        let (client, count) = client_answering(500);
        let err = open(&forwarder(client, None)).await.err().unwrap();
        assert_eq!(err.to_string(), "no Ready pod within 300ms; closing it");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
