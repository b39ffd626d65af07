//! The chart's invariants checked on a parsed stream, written independently of `src/post_render/rules` so a
//! rule bug cannot hide itself. Panics with every violation found.

use serde_json::Value;

/// What the stream must satisfy for one rendering.
pub struct Expect {
    pub fullname: String,
    pub namespace: String,
    pub ui_port: String,
    /// Pool name and its `--worker.labels` argument (None: no argument).
    pub pools: Vec<(String, Option<String>)>,
    pub extra_env: Vec<(String, String)>,
    pub passthrough: Vec<String>,
    pub prefixes: Vec<String>,
}

impl Expect {
    /// `values-with-two-pools.yaml`.
    pub fn two_pools(fullname: &str, namespace: &str) -> Self {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Expect {
            fullname: fullname.into(),
            namespace: namespace.into(),
            ui_port: "9090".into(),
            pools: vec![
                ("general".into(), None),
                ("gpu".into(), Some("arch=amd64,cuda=12.0,gpu=true".into())),
            ],
            extra_env: vec![
                ("HTTP_PROXY".into(), "http://proxy.example.com:8080".into()),
                ("HTTPS_PROXY".into(), "http://proxy.example.com:8080".into()),
                (
                    "NO_PROXY".into(),
                    "127.0.0.1,localhost,.svc,.cluster.local".into(),
                ),
                (
                    "SSL_CERT_FILE".into(),
                    "/etc/ssl/certs/custom-ca.pem".into(),
                ),
            ],
            passthrough: s(&["SSL_CERT_FILE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]),
            prefixes: s(&["AWS_"]),
        }
    }

    /// The chart's defaults.
    pub fn default_pool(fullname: &str, namespace: &str) -> Self {
        Expect {
            fullname: fullname.into(),
            namespace: namespace.into(),
            ui_port: "8080".into(),
            pools: vec![("general".into(), None)],
            extra_env: vec![],
            passthrough: vec![],
            prefixes: vec![],
        }
    }
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
}

pub fn assert_invariants(stream: &str, want: &Expect) {
    let docs: Vec<Value> = serde_saphyr::from_multiple::<Value>(stream)
        .expect("the stream parses")
        .into_iter()
        .filter(|d| !d.is_null())
        .collect();
    let mut bad: Vec<String> = vec![];
    let f = &want.fullname;
    let mut expect = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };

    match find(&docs, "PersistentVolumeClaim", &format!("{f}-data")) {
        Some(pvc) => expect(
            pvc["spec"]["accessModes"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m == "ReadWriteMany")),
            "PVC is ReadWriteMany".into(),
        ),
        None => expect(false, format!("PVC {f}-data exists")),
    }
    match find(&docs, "ConfigMap", &format!("{f}-config")) {
        Some(cm) => {
            let config: Value =
                serde_saphyr::from_str(cm["data"]["dagu.yaml"].as_str().unwrap_or("")).unwrap();
            for (key, list) in [
                ("env_passthrough", &want.passthrough),
                ("env_passthrough_prefixes", &want.prefixes),
            ] {
                let found = config.get(key).cloned().unwrap_or(Value::Null);
                let ok = if list.is_empty() {
                    found.is_null() || found == Value::Array(vec![])
                } else {
                    found == serde_json::json!(list)
                };
                expect(ok, format!("dagu.yaml {key} = {list:?}, found {found}"));
            }
        }
        None => expect(false, format!("ConfigMap {f}-config exists")),
    }

    type Pool = (String, Option<String>);
    let mut names: Vec<(String, &str, Option<&Pool>)> = vec![
        (format!("{f}-coordinator"), "coordinator", None),
        (format!("{f}-scheduler"), "scheduler", None),
        (format!("{f}-ui"), "server", None),
    ];
    for pool in &want.pools {
        names.push((format!("{f}-worker-{}", pool.0), "worker", Some(pool)));
    }
    let deployments = docs.iter().filter(|d| d["kind"] == "Deployment").count();
    expect(
        deployments == names.len(),
        format!("{} Deployments, found {deployments}", names.len()),
    );
    for (name, sub, pool) in names {
        let Some(d) = find(&docs, "Deployment", &name) else {
            expect(false, format!("Deployment {name} exists"));
            continue;
        };
        let pod = &d["spec"]["template"]["spec"];
        expect(
            pod["enableServiceLinks"] == false,
            format!("{name}: enableServiceLinks false"),
        );
        let Some(c) = pod["containers"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["command"][0] == "dagu"))
        else {
            expect(false, format!("{name}: a dagu container"));
            continue;
        };
        expect(c["command"][1] == sub, format!("{name}: runs dagu {sub}"));
        let env = c["env"].as_array().cloned().unwrap_or_default();
        let get = |n: &str| {
            env.iter()
                .filter(|e| e["name"] == n)
                .cloned()
                .collect::<Vec<_>>()
        };
        let mut env_names: Vec<&str> = env.iter().filter_map(|e| e["name"].as_str()).collect();
        env_names.sort();
        let count = env_names.len();
        env_names.dedup();
        expect(
            env_names.len() == count,
            format!("{name}: env names unique"),
        );
        let value_is = |n: &str, v: &str| get(n).len() == 1 && get(n)[0]["value"] == v;
        expect(
            value_is("DAGU_HOME", "/data"),
            format!("{name}: DAGU_HOME=/data"),
        );
        for (k, v) in &want.extra_env {
            expect(value_is(k, v), format!("{name}: extraEnv {k}={v}"));
        }
        match sub {
            "server" => expect(
                value_is("DAGU_PORT", &want.ui_port),
                format!("{name}: DAGU_PORT={}", want.ui_port),
            ),
            "coordinator" => {
                expect(
                    value_is("DAGU_COORDINATOR_HOST", "0.0.0.0"),
                    format!("{name}: coordinator host"),
                );
                let addr = format!("{f}-coordinator.{}.svc.cluster.local", want.namespace);
                expect(
                    value_is("DAGU_COORDINATOR_ADVERTISE", &addr),
                    format!("{name}: advertise {addr}"),
                );
            }
            "worker" => {
                let id = get("DAGU_WORKER_ID");
                expect(
                    id.len() == 1 && id[0]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name",
                    format!("{name}: DAGU_WORKER_ID from metadata.name"),
                );
            }
            _ => {}
        }
        let volume = |mount: &str| {
            let m = c["volumeMounts"]
                .as_array()?
                .iter()
                .find(|m| m["mountPath"] == mount)?;
            pod["volumes"]
                .as_array()?
                .iter()
                .find(|v| v["name"] == m["name"])
                .cloned()
        };
        expect(
            volume("/data")
                .is_some_and(|v| v["persistentVolumeClaim"]["claimName"] == format!("{f}-data")),
            format!("{name}: PVC at /data"),
        );
        expect(
            volume("/etc/dagu").is_some_and(|v| v["configMap"]["name"] == format!("{f}-config")),
            format!("{name}: ConfigMap at /etc/dagu"),
        );
        if let Some((pool, labels)) = pool {
            expect(
                d["spec"]["template"]["metadata"]["labels"]["daguit.dev/worker-pool"]
                    == pool.as_str(),
                format!("{name}: pod label pool {pool}"),
            );
            let argv: Vec<&str> = ["command", "args"]
                .iter()
                .flat_map(|k| c[*k].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            let at: Vec<usize> = argv
                .iter()
                .enumerate()
                .filter(|(_, a)| a.starts_with("--worker.labels"))
                .map(|(i, _)| i)
                .collect();
            match labels {
                None => expect(at.is_empty(), format!("{name}: no --worker.labels")),
                Some(l) => expect(
                    at.len() == 1 && argv.get(at[0] + 1) == Some(&l.as_str()),
                    format!("{name}: one --worker.labels {l}, argv {argv:?}"),
                ),
            }
        }
    }
    assert!(
        bad.is_empty(),
        "invariants violated:\n  {}",
        bad.join("\n  ")
    );
}
