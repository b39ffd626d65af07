//! The test platform itself, proven with kube-rs against the project's test cluster (`scripts/test-cluster`):
//! a Job's logs and container exit code, a port-forward that returns an HTTP page from a pod (and which
//! WebSocket subprotocol kube negotiates with the 1.20 API server), namespace deletion, and ServiceAccount tokens
//! under RBAC. Each test creates and deletes its own namespace.

mod support;

use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, ServiceAccount};
use kube::api::{Api, ListParams, LogParams, PostParams};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use support::{poll_async, TestNamespace};

const IMAGE: &str = "busybox:1.36";
const WAIT: Duration = Duration::from_secs(90);

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("valid object")
}

#[tokio::test]
async fn job_logs_and_exit_code_reach_the_api() {
    let client = support::client().await;
    let ns = TestNamespace::create(&client, "smoke-job").await;
    let jobs: Api<Job> = Api::namespaced(client.clone(), &ns.name);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);

    let job: Job = from_json(json!({
        "metadata": { "name": "hello" },
        "spec": {
            "backoffLimit": 0,
            "template": { "spec": {
                "restartPolicy": "Never",
                "containers": [{
                    "name": "main", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", "echo hello; exit 7"]
                }]
            }}
        }
    }));
    jobs.create(&PostParams::default(), &job)
        .await
        .expect("create Job");

    poll_async("Job hello to fail", WAIT, || async {
        let job = jobs.get("hello").await.ok()?;
        (job.status?.failed? >= 1).then_some(())
    })
    .await;
    let by_job = ListParams::default().labels("job-name=hello");
    let pod = pods
        .list(&by_job)
        .await
        .expect("list the Job's pods")
        .items
        .into_iter()
        .next()
        .expect("a pod");
    let name = pod.metadata.name.clone().unwrap();
    let terminated = pod
        .status
        .and_then(|s| s.container_statuses)
        .and_then(|cs| cs.into_iter().next())
        .and_then(|c| c.state)
        .and_then(|s| s.terminated)
        .expect("the container terminated");
    assert_eq!(
        terminated.exit_code, 7,
        "container exit code, terminated state: {terminated:?}"
    );

    let logs = pods
        .logs(&name, &LogParams::default())
        .await
        .expect("read the pod's logs");
    assert_eq!(logs, "hello\n");
}

#[tokio::test]
async fn port_forward_returns_a_page_served_by_a_pod() {
    let client = support::client().await;
    let ns = TestNamespace::create(&client, "smoke-pf").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);

    let page = format!("kubectl-dagu smoke page from {}", ns.name);
    let pod: Pod = from_json(json!({
        "metadata": { "name": "web", "labels": { "app": "web" } },
        "spec": { "containers": [{
            "name": "httpd", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
            "command": ["sh", "-c", format!("mkdir -p /www && echo '{page}' > /www/index.html && exec httpd -f -p 8080 -h /www")],
            "ports": [{ "name": "http", "containerPort": 8080 }],
            "readinessProbe": { "tcpSocket": { "port": 8080 }, "periodSeconds": 1 }
        }]}
    }));
    pods.create(&PostParams::default(), &pod)
        .await
        .expect("create Pod");
    poll_async("pod web to be Ready", WAIT, || async {
        let pod = pods.get("web").await.ok()?;
        let ready = pod
            .status?
            .conditions?
            .into_iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        ready.then_some(())
    })
    .await;

    // Which WebSocket subprotocol kube offers (v5, v4) and this 1.20 server picks: v4, which has no
    // half-close signal; the port-forward helper must not wait for one.
    let request = kube::core::Request::new(<Pod as kube::Resource>::url_path(&(), Some(&ns.name)))
        .portforward("web", &[8080])
        .expect("port-forward request");
    let connection = client
        .connect(request)
        .await
        .expect("WebSocket upgrade through the API server");
    assert!(
        !connection.supports_stream_close(),
        "1.20 negotiates v4.channel.k8s.io, which cannot half-close"
    );
    drop(connection);

    let mut forwarder = pods
        .portforward("web", &[8080])
        .await
        .expect("port-forward to pod web");
    let mut stream = forwarder.take_stream(8080).expect("stream for port 8080");
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await
        .expect("send the request");
    let mut response = Vec::new();
    // HTTP/1.0: httpd closes the connection after the response, which ends the stream.
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("the response ended (httpd closes HTTP/1.0 connections)")
        .expect("read the response");
    let response = String::from_utf8_lossy(&response);
    let status_line = response.lines().next().unwrap_or_default();
    assert!(
        status_line.starts_with("HTTP/1.") && status_line.ends_with(" 200 OK"),
        "response: {response}"
    );
    assert!(response.contains(&page), "response: {response}");
    // Not joined: once the server has closed the WebSocket, kube 5's close of its own side makes `join()`
    // return `SendWebSocketMessage(SendAfterClosing)` (benign; see docs/decisions.md, Test platform).
    drop(stream);
    forwarder.abort();
}

#[tokio::test]
async fn deleting_a_namespace_removes_it_and_its_objects() {
    let client = support::client().await;
    let ns = TestNamespace::create(&client, "smoke-ns").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns.name);
    cms.create(
        &PostParams::default(),
        &from_json(json!({ "metadata": { "name": "c" }, "data": { "k": "v" } })),
    )
    .await
    .expect("create ConfigMap");

    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .delete(&ns.name, &Default::default())
        .await
        .expect("delete namespace");
    poll_async("namespace deletion to complete", WAIT, || async {
        match namespaces.get_opt(&ns.name).await {
            Ok(None) => Some(()),
            _ => None,
        }
    })
    .await;
}

#[tokio::test]
async fn service_account_tokens_authenticate_and_rbac_applies() {
    let client = support::client().await;
    let ns = TestNamespace::create(&client, "smoke-sa").await;
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns.name);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns.name);
    sas.create(
        &PostParams::default(),
        &from_json(json!({ "metadata": { "name": "tester" } })),
    )
    .await
    .expect("create ServiceAccount");

    // 1.20's token controller writes a token Secret for every ServiceAccount.
    let token = poll_async("a token Secret for ServiceAccount tester", WAIT, || async {
        let sa = sas.get("tester").await.ok()?;
        let secret_name = sa.secrets?.into_iter().next()?.name?;
        let data = secrets.get(&secret_name).await.ok()?.data?;
        Some(String::from_utf8(data.get("token")?.0.clone()).expect("UTF-8 token"))
    })
    .await;

    let mut config = support::config().await;
    config.auth_info = kube::config::AuthInfo {
        token: Some(token.into()),
        ..Default::default()
    };
    let as_sa = kube::Client::try_from(config).expect("client with the ServiceAccount token");
    let denied = Api::<Pod>::namespaced(as_sa, &ns.name)
        .list(&ListParams::default())
        .await;
    match denied {
        Err(kube::Error::Api(ae)) => {
            assert_eq!(ae.code, 403, "a ServiceAccount without a Role: {ae:?}")
        }
        other => {
            panic!("expected 403 Forbidden for a ServiceAccount without a Role, got {other:?}")
        }
    }
}
