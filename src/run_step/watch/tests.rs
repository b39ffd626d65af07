//! The watch loop against a mocked API server, for faults the real test cluster cannot produce on demand:
//! a pod watch answered with 410 Gone is re-listed, and the pod's termination seen in the new list still
//! ends the run with the container's exit code (issue 9, item 9).

use std::time::Duration;

use clap::Parser as _;
use http::{Request, Response};
use kube::client::Body;
use serde_json::json;

use super::*;

#[derive(clap::Parser)]
struct Cli {
    #[command(flatten)]
    args: Args,
}

fn pod(state: serde_json::Value) -> serde_json::Value {
    json!({"metadata": {"name": "s-x-1", "namespace": "ns", "resourceVersion": "5",
            "creationTimestamp": "2026-03-31T10:00:00Z"},
        "status": {"phase": "Running", "containerStatuses": [{"name": "step", "image": "i", "imageID": "",
            "ready": true, "restartCount": 0, "state": state}]}})
}

fn list(kind: &str, items: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": "5"}, "items": items})).unwrap()
}

/// Answers by route; watches other than the first pod watch stay open (pending) forever.
async fn serve(mut handle: tower_test::mock::Handle<Request<Body>, Response<Body>>) {
    let mut pod_lists = 0;
    let mut pod_watches = 0;
    let mut open = Vec::new();
    while let Some((request, send)) = handle.next_request().await {
        let uri = request.uri().to_string();
        let body = if uri.contains("/log?") {
            b"2026-03-31T10:00:01.5Z hello\n".to_vec()
        } else if uri.starts_with("/api/v1/namespaces/ns/pods?") && !uri.contains("watch=true") {
            pod_lists += 1;
            let state = if pod_lists == 1 {
                json!({"running": {"startedAt": "2026-03-31T10:00:01Z"}})
            } else {
                json!({"terminated": {"exitCode": 7, "reason": "Error"}})
            };
            list("PodList", vec![pod(state)])
        } else if uri.starts_with("/api/v1/namespaces/ns/pods?") && pod_watches == 0 {
            pod_watches += 1;
            let gone = json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "reason": "Expired", "code": 410, "message": "too old resource version"}});
            serde_json::to_vec(&gone).unwrap()
        } else if uri.starts_with("/apis/batch/v1/namespaces/ns/jobs?")
            && !uri.contains("watch=true")
        {
            list(
                "JobList",
                vec![
                    json!({"metadata": {"name": "s-x", "namespace": "ns", "resourceVersion": "5"}}),
                ],
            )
        } else {
            open.push(send);
            continue;
        };
        send.send_response(Response::new(Body::from(body)));
    }
}

#[tokio::test]
async fn a_410_on_the_pod_watch_is_relisted_and_the_termination_still_seen() {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let client = kube::Client::new(service, "ns");
    tokio::spawn(serve(handle));
    let cleaner = Cleaner {
        jobs: Api::namespaced(client.clone(), "ns"),
        pods: Api::namespaced(client, "ns"),
        namespace: "ns".into(),
        run_id: "abc".into(),
    };
    let args = Cli::parse_from(["x", "dag.yaml", "s"]).args;
    let plan = Plan {
        dag: "d".into(),
        step: "s".into(),
        config: json!({"image": "i"}),
        argv: None,
        cleanup: Default::default(),
    };
    let mut signals = Signals::install().unwrap();
    let mut status = Status::new();
    let ended = tokio::time::timeout(
        Duration::from_secs(30),
        watch_run(
            &args,
            &plan,
            &cleaner,
            "s-x",
            &mut signals,
            None,
            &mut status,
        ),
    )
    .await
    .expect("the run ends after the re-list")
    .unwrap();
    match ended {
        Ended::Done { code, started, .. } => assert_eq!((code, started), (7, true)),
        Ended::Stopped(s) => panic!("stopped: {s:?}"),
    }
}
