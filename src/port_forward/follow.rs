//! Keeps "the Ready pod behind the Service now" current: a reflector over the pods the Service selects, and on
//! every change the pure [`pod::choose`] decides the target that new connections use. Switches are logged on
//! stderr, so the user sees why a page reload went to another pod.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Duration;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::{Pod, ServicePort};
use kube::runtime::{reflector, watcher, WatchStreamExt as _};
use kube::Api;
use tokio::sync::watch;

use super::pod::{self, Target};

/// `k=v,...` for a watch's `labelSelector`.
pub fn label_selector(selector: &BTreeMap<String, String>) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The message for a change of target, or `None` when nothing changed.
pub fn switch_message(
    from: Option<&Target>,
    to: Option<&Target>,
    ready_timeout: Duration,
) -> Option<String> {
    match (from, to) {
        (a, b) if a == b => None,
        (Some(a), Some(b)) => Some(format!(
            "pod {} is gone or not Ready; new connections go to {b}",
            a.pod
        )),
        (Some(a), None) => Some(format!(
            "pod {} is gone or not Ready; new connections wait up to {}s for a Ready pod",
            a.pod,
            ready_timeout.as_secs()
        )),
        (None, Some(b)) => Some(format!("pod {} is Ready; new connections go to {b}", b.pod)),
        (None, None) => None,
    }
}

/// Watches the selected pods until `targets` has no receivers left, publishing each new choice.
pub async fn follow(
    pods: Api<Pod>,
    selector: BTreeMap<String, String>,
    service_port: ServicePort,
    targets: watch::Sender<Option<Target>>,
    ready_timeout: Duration,
) {
    let (store, writer) = reflector::store();
    let config = watcher::Config::default().labels(&label_selector(&selector));
    let events = watcher(pods, config).default_backoff().reflect(writer);
    futures::pin_mut!(events);
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            () = targets.closed() => return,
        };
        match event {
            None => return,
            Some(Err(err)) => {
                tracing::warn!(error = %err, "watching pods failed; retrying");
                continue;
            }
            // Mid-relist the store still holds the previous complete state; decide once it is complete.
            Some(Ok(watcher::Event::Init | watcher::Event::InitApply(_))) => continue,
            Some(Ok(_)) => {}
        }
        let state = store.state();
        let next = pod::choose(state.iter().map(AsRef::as_ref), &selector, &service_port);
        targets.send_if_modified(|current| {
            let message = switch_message(current.as_ref(), next.as_ref(), ready_timeout);
            if let Some(message) = &message {
                // Not eprintln!: a closed stderr must not kill the watcher.
                let _ = writeln!(std::io::stderr(), "{message}");
                *current = next.clone();
            }
            message.is_some()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pod: &str) -> Target {
        Target {
            pod: pod.into(),
            port: 8080,
        }
    }

    #[test]
    fn selector_is_rendered_sorted() {
        let sel = BTreeMap::from([
            ("b".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
        ]);
        assert_eq!(label_selector(&sel), "a=1,b=2");
    }

    #[test]
    fn switches_are_described() {
        let wait = Duration::from_secs(30);
        assert_eq!(switch_message(Some(&t("a")), Some(&t("a")), wait), None);
        assert_eq!(switch_message(None, None, wait), None);
        assert_eq!(
            switch_message(Some(&t("a")), Some(&t("b")), wait).unwrap(),
            "pod a is gone or not Ready; new connections go to b:8080"
        );
        assert_eq!(
            switch_message(Some(&t("a")), None, wait).unwrap(),
            "pod a is gone or not Ready; new connections wait up to 30s for a Ready pod"
        );
        assert_eq!(
            switch_message(None, Some(&t("b")), wait).unwrap(),
            "pod b is Ready; new connections go to b:8080"
        );
    }
}
