//! Fixtures for `tests/port_forward_e2e.rs`: a namespace per test, a Dagu UI stand-in (busybox `httpd`) named and
//! labelled as the chart renders it, the `kubectl-dagu port-forward` process, and a minimal HTTP/1.0 client.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::Client;

use crate::support;

/// The UI stand-in's page names the pod that served it, so a test can tell pods apart.
pub const PAGE_MARKER: &str = "dagu-ui-standin pod=";

/// A test namespace on the test cluster, and a least-privilege kubeconfig for it; deleted on drop.
pub struct Cluster {
    pub rt: tokio::runtime::Runtime,
    pub client: Client,
    pub ns: String,
    /// Authenticates as a service account bound to exactly `docs/rbac/port-forward.yaml`.
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

/// A release as the chart would render it: names from the fullname rule, labels from `dagu.labels`.
pub struct Release {
    pub name: &'static str,
    pub name_override: Option<&'static str>,
    pub fullname_override: Option<&'static str>,
    /// Whether the Service carries the instance/component labels; without them only the name rule finds it.
    pub service_labelled: bool,
}

impl Release {
    pub fn plain(name: &'static str) -> Self {
        Self {
            name,
            name_override: None,
            fullname_override: None,
            service_labelled: true,
        }
    }

    /// The chart's fullname (the rule is restated here on purpose: the test must not reuse the code it checks).
    pub fn fullname(&self) -> String {
        if let Some(full) = self.fullname_override {
            return full.to_string();
        }
        let name = self.name_override.unwrap_or("dagu");
        if self.name.contains(name) {
            self.name.to_string()
        } else {
            format!("{}-{name}", self.name)
        }
    }

    pub fn pod_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (
                "app.kubernetes.io/name".into(),
                self.name_override.unwrap_or("dagu").into(),
            ),
            ("app.kubernetes.io/instance".into(), self.name.into()),
            ("app.kubernetes.io/managed-by".into(), "Helm".into()),
            ("app.kubernetes.io/component".into(), "ui".into()),
        ])
    }

    pub fn selector(&self) -> String {
        self.pod_labels()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Cluster {
    /// Creates a fresh namespace named after the test, and the least-privilege kubeconfig in it.
    pub fn new(test: &str) -> Self {
        let admin = support::kubeconfig();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let ns = format!("pf-{test}-{}-{}", std::process::id(), nanos % 100_000);
        let dir = tempfile::tempdir().unwrap();
        let (client, kubeconfig) = rt.block_on(async {
            let kc = kube::config::Kubeconfig::read_from(&admin).unwrap();
            let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
                .await
                .unwrap();
            let client = Client::try_from(config).unwrap();
            let namespace: Namespace =
                serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
            Api::<Namespace>::all(client.clone())
                .create(&PostParams::default(), &namespace)
                .await
                .unwrap();
            let kubeconfig = support::rbac::least_privilege_kubeconfig(
                client.clone(),
                &ns,
                "port-forward.yaml",
                dir.path(),
            )
            .await;
            (client, kubeconfig)
        });
        Self {
            rt,
            client,
            ns,
            kubeconfig,
            _dir: dir,
        }
    }

    /// Creates the UI Deployment (busybox httpd on the named port `http`) and Service for `release`.
    pub fn install(&self, release: &Release) {
        let fullname = release.fullname();
        let labels = release.pod_labels();
        let script = format!(
            "mkdir -p /www && echo \"{PAGE_MARKER}$HOSTNAME\" > /www/index.html && exec httpd -f -p 8080 -h /www"
        );
        let deployment: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{fullname}-ui"), "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        // httpd as PID 1 ignores SIGTERM: keep deletions short.
                        "terminationGracePeriodSeconds": 2,
                        "enableServiceLinks": false,
                        "containers": [{
                            "name": "ui",
                            "image": "busybox:1.36",
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["sh", "-c", script],
                            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        }],
                    },
                },
            },
        }))
        .unwrap();
        let service_labels = if release.service_labelled {
            labels.clone()
        } else {
            BTreeMap::from([("app.kubernetes.io/name".to_string(), "dagu".to_string())])
        };
        let service: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{fullname}-ui"), "labels": service_labels},
            "spec": {
                "type": "ClusterIP",
                "selector": labels,
                "ports": [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}],
            },
        }))
        .unwrap();
        self.rt.block_on(async {
            let pp = PostParams::default();
            Api::<Deployment>::namespaced(self.client.clone(), &self.ns)
                .create(&pp, &deployment)
                .await
                .unwrap();
            Api::<Service>::namespaced(self.client.clone(), &self.ns)
                .create(&pp, &service)
                .await
                .unwrap();
        });
    }

    /// Names of the pods behind `release` that are Ready and not terminating.
    pub fn ready_pods(&self, release: &Release) -> Vec<String> {
        let pods = Api::<Pod>::namespaced(self.client.clone(), &self.ns);
        let list = self
            .rt
            .block_on(pods.list(&ListParams::default().labels(&release.selector())))
            .unwrap();
        list.items
            .into_iter()
            .filter(|p| {
                p.metadata.deletion_timestamp.is_none()
                    && p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|cs| {
                            cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                        })
            })
            .filter_map(|p| p.metadata.name)
            .collect()
    }

    /// Waits until exactly one pod of `release` is Ready and returns its name.
    pub fn wait_ready(&self, release: &Release, except: Option<&str>) -> String {
        support::poll(
            &format!("a Ready pod for release {}", release.name),
            Duration::from_secs(120),
            || {
                let ready = self.ready_pods(release);
                match ready.as_slice() {
                    [one] if Some(one.as_str()) != except => Some(one.clone()),
                    _ => None,
                }
            },
        )
    }

    pub fn delete_pod(&self, name: &str) {
        let pods = Api::<Pod>::namespaced(self.client.clone(), &self.ns);
        self.rt
            .block_on(pods.delete(name, &DeleteParams::default()))
            .unwrap();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let namespaces = Api::<Namespace>::all(self.client.clone());
        let _ = self
            .rt
            .block_on(namespaces.delete(&self.ns, &DeleteParams::background()));
    }
}

/// A running `kubectl-dagu port-forward`; killed on drop if still running.
pub struct Forward {
    child: Child,
    /// The local port it printed.
    pub port: u16,
    /// The `-> POD:PORT` part of the line it printed.
    pub target: String,
    stderr: Arc<Mutex<String>>,
}

impl Forward {
    /// Starts the command with `--port 0` and waits (bounded) for its `Forwarding from` line.
    pub fn start(cluster: &Cluster, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
            .arg("port-forward")
            .args(args)
            .arg("--kubeconfig")
            .arg(&cluster.kubeconfig)
            .args(["--port", "0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (sink, pipe) = (stderr.clone(), child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                eprintln!("[port-forward] {line}");
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(90))
            .unwrap_or_else(|e| {
                let _ = child.kill();
                panic!(
                    "no `Forwarding from` line within 90s ({e}); stderr:\n{}",
                    stderr.lock().unwrap()
                )
            });
        let rest = line
            .strip_prefix("Forwarding from http://127.0.0.1:")
            .unwrap_or_else(|| panic!("{line:?}"));
        let (port, target) = rest
            .split_once(" -> ")
            .unwrap_or_else(|| panic!("{line:?}"));
        Self {
            child,
            port: port.parse().unwrap(),
            target: target.to_string(),
            stderr,
        }
    }

    /// Sends SIGINT (as Ctrl-C does) and waits (bounded) for the process to exit.
    pub fn interrupt(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        support::poll(
            "port-forward to exit after SIGINT",
            Duration::from_secs(30),
            || self.child.try_wait().unwrap(),
        )
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /` over HTTP/1.0 through 127.0.0.1:`port`; the body on a 200, else an error naming what came back.
pub fn http_get(port: u16) -> Result<String, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("read: {e} after {response:?}"))?;
    match response.split_once("\r\n\r\n") {
        Some((head, body))
            if head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200") =>
        {
            Ok(body.to_string())
        }
        _ => Err(format!("not a 200 response: {response:?}")),
    }
}

/// The pod name in a page served by the stand-in.
pub fn served_by(body: &str) -> &str {
    body.trim()
        .strip_prefix(PAGE_MARKER)
        .unwrap_or_else(|| panic!("unexpected page {body:?}"))
}
