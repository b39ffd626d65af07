//! One accepted connection: wait (bounded) for a Ready pod, open a fresh port-forward to it, and relay bytes
//! both ways until the pod side closes ([`transport`]). A fresh forward per connection is what makes a replaced pod cost only
//! the connections open at the time (kube-rs `examples/pod_portforward_bind.rs` shape).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{timeout_at, Instant};

use super::pod::Target;
use super::transport::{self, OpenError as StreamError, Stream, Transport};

/// After a failed `portforward` to the current pod, how long to wait for the watcher to name another pod before
/// trying the same one again (a transient API error should not cost the whole wait).
const RETRY_SAME_POD_AFTER: Duration = Duration::from_secs(1);

/// The WebSocket subprotocol 1.20 speaks (`v4.channel.k8s.io`) cannot half-close a stream: once the local client
/// has closed its side we cannot tell the pod. We keep relaying the pod's answer, and end the connection when the
/// pod closes or stays silent this long, so a client that went away does not pin a stream forever.
const IDLE_AFTER_CLIENT_CLOSED: Duration = Duration::from_secs(10);

/// What every connection task needs: the API to open forwards with and the current target.
#[derive(Clone)]
pub struct Forwarder {
    pub client: kube::Client,
    pub namespace: String,
    pub targets: watch::Receiver<Option<Target>>,
    pub ready_timeout: Duration,
    pub transport: Transport,
}

/// Why a connection was closed without reaching a pod.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no Ready pod within {0:?}; closing it")]
    NoReadyPod(Duration),
    #[error("the pod watcher stopped")]
    WatcherStopped,
    #[error(
        "forbidden to port-forward to pod {pod}: {message}. The user needs verbs `create` (the SPDY upgrade is a \
         POST) and `get` (a WebSocket upgrade is a GET) on `pods/portforward` in this namespace: see the Role in \
         docs/port-forward.md"
    )]
    Forbidden { pod: String, message: String },
    #[error("could not open a port-forward to pod {target} within {waited:?} ({last_error}); closing it")]
    Unreachable {
        target: Target,
        waited: Duration,
        last_error: String,
    },
}

/// Forwards one local connection; errors are reported on stderr, never end the accept loop.
pub async fn forward(client: TcpStream, peer: SocketAddr, fwd: Forwarder) {
    let (target, socket) = match open(&fwd).await {
        Ok(opened) => opened,
        Err(err) => {
            crate::output::warning(&format!("connection from {peer}: {err}"));
            return;
        }
    };
    tracing::info!(%peer, %target, "forwarding connection");
    match transport::relay(client, socket, target.port, IDLE_AFTER_CLIENT_CLOSED).await {
        Ok(None) => {}
        Ok(Some(message)) => crate::output::warning(&format!(
            "connection from {peer} to pod {target}: {message}"
        )),
        Err(err) => tracing::info!(%peer, %target, error = %err, "connection ended with an error"),
    }
}

/// Waits for a target and opens a port-forward to it, retrying on the next target when opening fails.
async fn open(fwd: &Forwarder) -> Result<(Target, Stream), OpenError> {
    let deadline = Instant::now() + fwd.ready_timeout;
    let mut targets = fwd.targets.clone();
    loop {
        let target = match timeout_at(deadline, targets.wait_for(Option::is_some)).await {
            Err(_) => return Err(OpenError::NoReadyPod(fwd.ready_timeout)),
            Ok(Err(_)) => return Err(OpenError::WatcherStopped),
            Ok(Ok(current)) => current.clone().expect("wait_for returned a target"),
        };
        match transport::connect(fwd.transport, &fwd.client, &fwd.namespace, &target).await {
            Ok(stream) => return Ok((target, stream)),
            Err(StreamError::Kube(kube::Error::Api(status))) if status.code == 403 => {
                return Err(OpenError::Forbidden {
                    pod: target.pod,
                    message: status.message,
                })
            }
            Err(err) => {
                let err = match err {
                    StreamError::Kube(err) => super::describe_api_error(&err),
                    other => other.to_string(),
                };
                tracing::warn!(%target, error = %err, "failed to open a port-forward; waiting for another pod");
                let other = targets.wait_for(|t| t.as_ref() != Some(&target));
                let _ =
                    timeout_at(deadline.min(Instant::now() + RETRY_SAME_POD_AFTER), other).await;
                if Instant::now() >= deadline {
                    return Err(OpenError::Unreachable {
                        target,
                        waited: fwd.ready_timeout,
                        last_error: err,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            client,
            namespace: "dagu".into(),
            targets,
            ready_timeout: Duration::from_millis(300),
            transport: Transport::Spdy,
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
