//! Forced cleanup against a mocked API server: the calls it makes (only verbs of the documented Role), what it
//! tolerates (a pod the garbage collector removed first) and when it stops waiting.

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use serde_json::json;

use super::*;

type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

fn cleaner() -> (Cleaner, Handle) {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let client = kube::Client::new(service, "ns");
    let cleaner = Cleaner {
        jobs: Api::namespaced(client.clone(), "ns"),
        pods: Api::namespaced(client, "ns"),
        namespace: "ns".into(),
        run_id: "abc".into(),
    };
    (cleaner, handle)
}

async fn expect(
    handle: &mut Handle,
    method: Method,
    path: &str,
    status: StatusCode,
    body: serde_json::Value,
) -> String {
    let (request, send) = handle.next_request().await.expect("an API call");
    let uri = request.uri().to_string();
    assert_eq!(request.method(), method, "{uri}");
    assert!(uri.starts_with(path), "expected {method} {path}, got {uri}");
    let mut response = Response::new(Body::from(serde_json::to_vec(&body).unwrap()));
    *response.status_mut() = status;
    send.send_response(response);
    uri
}

fn list(kind: &str, names: &[&str]) -> serde_json::Value {
    let items: Vec<_> = names
        .iter()
        .map(|n| json!({"metadata": {"name": n, "namespace": "ns"}}))
        .collect();
    json!({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": "7"}, "items": items})
}

#[tokio::test]
async fn force_deletes_by_run_label_and_waits_for_the_pods() {
    let (cleaner, mut api) = cleaner();
    let server = tokio::spawn(async move {
        let uri = expect(
            &mut api,
            Method::GET,
            "/apis/batch/v1/namespaces/ns/jobs?",
            StatusCode::OK,
            list("JobList", &["s-x"]),
        )
        .await;
        assert!(
            uri.contains("labelSelector=kubectl-dagu%2Frun%3Dabc"),
            "{uri}"
        );
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "s-x"}});
        expect(
            &mut api,
            Method::DELETE,
            "/apis/batch/v1/namespaces/ns/jobs/s-x",
            StatusCode::OK,
            job,
        )
        .await;
        expect(
            &mut api,
            Method::GET,
            "/api/v1/namespaces/ns/pods?",
            StatusCode::OK,
            list("PodList", &["s-x-1"]),
        )
        .await;
        // The garbage collector was faster: 404 is fine.
        let gone = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"});
        expect(
            &mut api,
            Method::DELETE,
            "/api/v1/namespaces/ns/pods/s-x-1",
            StatusCode::NOT_FOUND,
            gone,
        )
        .await;
        // The wait lists the run's pods: none left.
        expect(
            &mut api,
            Method::GET,
            "/api/v1/namespaces/ns/pods?",
            StatusCode::OK,
            list("PodList", &[]),
        )
        .await;
    });
    cleaner.force().await.unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn a_forbidden_delete_is_an_error_naming_the_cleanup_command() {
    let (cleaner, mut api) = cleaner();
    let server = tokio::spawn(async move {
        expect(
            &mut api,
            Method::GET,
            "/apis/batch/v1/namespaces/ns/jobs?",
            StatusCode::OK,
            list("JobList", &["s-x"]),
        )
        .await;
        let forbidden = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403, "message": "forbidden"});
        expect(
            &mut api,
            Method::DELETE,
            "/apis/batch/v1/namespaces/ns/jobs/s-x",
            StatusCode::FORBIDDEN,
            forbidden,
        )
        .await;
    });
    let err = format!("{:#}", cleaner.force().await.unwrap_err());
    server.await.unwrap();
    assert!(
        err.contains("kubectl delete job,pod -n ns -l kubectl-dagu/run=abc"),
        "{err}"
    );
}

#[tokio::test]
async fn a_normal_end_deletes_a_pod_that_never_ran_with_no_grace_period() {
    let (cleaner, mut api) = cleaner();
    let server = tokio::spawn(async move {
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "s-x"}});
        expect(
            &mut api,
            Method::DELETE,
            "/apis/batch/v1/namespaces/ns/jobs/s-x",
            StatusCode::OK,
            job,
        )
        .await;
        let stuck = json!({"metadata": {"name": "s-x-1", "namespace": "ns"},
            "spec": {"nodeName": "localhost", "containers": [{"name": "step"}]},
            "status": {"phase": "Pending", "containerStatuses": [{"name": "step", "ready": false,
                "restartCount": 0, "image": "x", "imageID": "",
                "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}});
        let running = json!({"metadata": {"name": "s-x-2", "namespace": "ns"},
            "spec": {"nodeName": "localhost", "containers": [{"name": "step"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "step", "ready": true,
                "restartCount": 0, "image": "x", "imageID": "", "state": {"running": {}}}]}});
        expect(
            &mut api,
            Method::GET,
            "/api/v1/namespaces/ns/pods?",
            StatusCode::OK,
            json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [stuck, running]}),
        )
        .await;
        // Only the pod that never ran is deleted (the running one goes with its Job, with its grace period),
        // and with gracePeriodSeconds 0.
        let (request, send) = api.next_request().await.expect("the pod delete");
        assert_eq!(request.method(), Method::DELETE);
        assert!(
            request.uri().path().ends_with("/pods/s-x-1"),
            "{}",
            request.uri()
        );
        let body = request.into_body().collect_bytes().await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["gracePeriodSeconds"], 0, "{body}");
        send.send_response(Response::new(Body::from(
            serde_json::to_vec(&json!({"metadata": {"name": "s-x-1"}})).unwrap(),
        )));
    });
    cleaner.delete_run("s-x").await.unwrap();
    server.await.unwrap();
}
