//! `kubectl dagu port-forward` against the project's Kubernetes 1.20 test cluster, run as a service account
//! bound to exactly `docs/rbac/port-forward.yaml`: Services named as the chart names them (plain release,
//! nameOverride, fullnameOverride), pod replacement without restarting the command, 50 parallel requests,
//! Ctrl-C, a client's half-close, the verbs each transport needs, and the WebSocket subprotocol the API server
//! negotiates with kube-rs (`--transport websocket`).

mod port_forward_fixture;
mod support;

use std::time::{Duration, Instant};

use port_forward_fixture::{http_get, served_by, Cluster, Forward, Release};

#[test]
fn plain_release_survives_five_pod_replacements() {
    let cluster = Cluster::new("replace");
    // Release "dagu" is the command's default: no RELEASE argument, namespace from the kubeconfig context.
    let release = Release::plain("dagu");
    cluster.install(&release);
    let mut pod = cluster.wait_ready(&release, None);
    let forward = Forward::start(&cluster, &[]);
    assert_eq!(forward.target, format!("{pod}:8080"));
    assert_eq!(served_by(&http_get(forward.port).unwrap()), pod);

    // A connection open when its pod goes away ends (EOF or reset), it does not hang.
    let mut open = std::net::TcpStream::connect(("127.0.0.1", forward.port)).unwrap();
    std::io::Write::write_all(&mut open, b"GET / HTTP/1.0\r\n").unwrap();

    for round in 1..=5 {
        cluster.delete_pod(&pod);
        let next = cluster.wait_ready(&release, Some(&pod));
        let ready_at = Instant::now();
        let body = http_get(forward.port).unwrap_or_else(|e| {
            panic!(
                "round {round}: GET after {pod} was replaced by {next}: {e}\n{}",
                forward.stderr()
            )
        });
        assert_eq!(served_by(&body), next, "round {round}");
        // A figure for the report, not an assertion (the target is under 5 s).
        eprintln!(
            "round {round}: served by {next} {:?} after it was seen Ready",
            ready_at.elapsed()
        );
        if round == 1 {
            open.set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            let mut rest = Vec::new();
            let read = std::io::Read::read_to_end(&mut open, &mut rest);
            assert!(
                !matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut),
                "the connection to the deleted pod did not end: {read:?}"
            );
        }
        pod = next;
    }
    let stderr = forward.stderr();
    assert!(
        stderr.contains("is gone or not Ready"),
        "switches are logged on stderr:\n{stderr}"
    );
}

#[test]
fn name_override_release_serves_the_page_and_stops_on_ctrl_c() {
    let cluster = Cluster::new("nameoverride");
    let release = Release {
        name: "wf",
        name_override: Some("flow"),
        fullname_override: None,
        service_labelled: true,
    };
    cluster.install(&release);
    let pod = cluster.wait_ready(&release, None);
    let ns = cluster.ns.clone();
    let mut forward = Forward::start(&cluster, &["wf", "--name-override", "flow", "-n", &ns]);
    assert_eq!(served_by(&http_get(forward.port).unwrap()), pod);

    let status = forward.interrupt();
    assert_eq!(
        status.code(),
        Some(0),
        "Ctrl-C exits 0\n{}",
        forward.stderr()
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", forward.port)).is_err(),
        "the listener is closed after Ctrl-C"
    );
}

#[test]
fn fullname_override_release_is_found_by_name_and_serves_50_parallel_gets() {
    let cluster = Cluster::new("fullname");
    // No instance/component labels on the Service: only the fullname rule can find it.
    let release = Release {
        name: "prod",
        name_override: None,
        fullname_override: Some("ops-console"),
        service_labelled: false,
    };
    cluster.install(&release);
    let pod = cluster.wait_ready(&release, None);
    let forward = Forward::start(&cluster, &["prod", "--fullname-override", "ops-console"]);
    assert_eq!(forward.target, format!("{pod}:8080"));

    let port = forward.port;
    let gets: Vec<_> = (0..50)
        .map(|_| std::thread::spawn(move || http_get(port)))
        .collect();
    let failures: Vec<String> = gets
        .into_iter()
        .enumerate()
        .filter_map(|(i, get)| match get.join().unwrap() {
            Ok(body) if served_by(&body) == pod => None,
            Ok(body) => Some(format!("GET {i}: wrong page {body:?}")),
            Err(e) => Some(format!("GET {i}: {e}")),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of 50 GETs failed:\n{}\n{}",
        failures.len(),
        failures.join("\n"),
        forward.stderr()
    );
}

#[test]
fn an_unknown_release_lists_the_dagu_services_and_exits_2() {
    let cluster = Cluster::new("unknown");
    cluster.install(&Release::plain("prod"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
        .args(["port-forward", "staging", "--kubeconfig"])
        .arg(&cluster.kubeconfig)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\"staging-dagu-ui\""), "{stderr}");
    assert!(
        stderr.contains("prod-dagu-ui (release prod, component ui)"),
        "{stderr}"
    );
}

/// kube-rs offers `v5.channel.k8s.io, v4.channel.k8s.io`; Kubernetes 1.20 knows only v4 for port-forward and
/// must pick it (v5, which can close one direction, arrived in 1.29). `--transport websocket` relays over it.
#[test]
fn the_api_server_negotiates_websocket_v4_for_port_forward() {
    let cluster = Cluster::new("transport");
    let release = Release::plain("dagu");
    cluster.install(&release);
    let pod = cluster.wait_ready(&release, None);
    let connection = cluster.rt.block_on(async {
        let request = kube::core::Request::new(format!("/api/v1/namespaces/{}/pods", cluster.ns))
            .portforward(&pod, &[8080])
            .unwrap();
        cluster.client.connect(request).await
    });
    let connection = connection.expect("WebSocket upgrade for pods/portforward");
    assert!(
        !connection.supports_stream_close(),
        "expected v4.channel.k8s.io (no stream close), got v5"
    );
    drop(connection);
    // And the command's WebSocket transport serves the page.
    let forward = Forward::start(&cluster, &["--transport", "websocket"]);
    assert_eq!(served_by(&http_get(forward.port).unwrap()), pod);
}

/// kubectl's verbs are enough: SPDY (the default) is a POST, authorised as `create` on `pods/portforward`. The
/// WebSocket upgrade is a GET, which 1.20 authorises as `get`: with a Role lacking it, `--transport websocket` is
/// refused and the command says which verbs to grant.
#[test]
fn a_create_only_role_serves_spdy_and_websocket_is_refused_with_the_fix() {
    let cluster = Cluster::with_role(
        "createonly",
        "../../tests/fixtures/port_forward/create-only-role.yaml",
    );
    let release = Release::plain("dagu");
    cluster.install(&release);
    let pod = cluster.wait_ready(&release, None);
    let spdy = Forward::start(&cluster, &[]);
    assert_eq!(served_by(&http_get(spdy.port).unwrap()), pod);

    let websocket = Forward::start(&cluster, &["--transport", "websocket"]);
    // Closed without an answer (a reset: the request was never read).
    assert!(http_get(websocket.port).is_err());
    support::poll(
        "the RBAC message on stderr",
        Duration::from_secs(30),
        || {
            let stderr = websocket.stderr();
            (stderr.contains("forbidden to port-forward") && stderr.contains("verbs `create`"))
                .then_some(())
        },
    );
}

/// A client that sends its request and then shuts down its sending side (as some HTTP/1.0 clients do) still
/// gets the whole answer: the half-close goes to the server as SPDY FIN on the data stream, and the relay keeps
/// delivering the pod's bytes until the pod's side ends. (containerd 1.6 then closes the pod connection within
/// 1 s rather than passing the half-close on; kubectl's forward behaves the same.)
#[test]
fn a_client_that_half_closes_after_its_request_gets_the_whole_answer() {
    use std::io::{Read as _, Write as _};
    let cluster = Cluster::new("halfclose");
    let release = Release::plain("dagu");
    cluster.install(&release);
    let pod = cluster.wait_ready(&release, None);
    let forward = Forward::start(&cluster, &[]);
    for _ in 0..3 {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", forward.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
            .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .unwrap_or_else(|e| panic!("no answer and EOF: {e} ({answer:?})"));
        let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        assert!(
            head.starts_with("HTTP/1.") && head.contains(" 200 "),
            "{answer}"
        );
        assert_eq!(served_by(body), pod);
    }
}
