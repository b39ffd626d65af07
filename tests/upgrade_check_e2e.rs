//! `kubectl dagu upgrade-check` on a real 1.x -> 2.x upgrade, run as a service account bound to
//! docs/rbac/upgrade-check.yaml: a release of the 1.x test chart (selectors carrying helm.sh/chart, as upstream
//! 1.0.6) with a file on its PVC; the 2.x rendering with default values is refused (selector changes, the
//! standalone trap); with distributed values `--apply --yes` orphan-deletes the Deployments, `helm upgrade`
//! succeeds, doctor passes and the file is still there.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, LogParams, PostParams};
use serde_json::json;

/// Runs `kubectl-dagu ARGS` with `stdin`; returns (exit code, stdout, stderr).
fn kubectl_dagu(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// Runs busybox with the release's claim at /data and returns its log once it succeeded.
async fn on_the_claim(pods: &Api<Pod>, name: &str, claim: &str, script: &str) -> String {
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36",
            "command": ["sh", "-c", script], "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]}}))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    support::poll_async(
        &format!("pod {name} to succeed"),
        Duration::from_secs(120),
        || async {
            let p = pods.get(name).await.ok()?;
            let phase = p.status?.phase?;
            assert_ne!(phase, "Failed", "pod {name} failed");
            (phase == "Succeeded").then_some(())
        },
    )
    .await;
    pods.logs(name, &LogParams::default()).await.unwrap()
}

#[tokio::test]
async fn a_1x_to_2x_upgrade_is_planned_applied_and_keeps_the_data() {
    let client = support::client().await;
    let ns = support::TestNamespace::create(&client, "upgrade").await;
    let release = "up";
    support::helm::run(&[
        "install",
        release,
        "dagu",
        "-n",
        &ns.name,
        "--set",
        "testing.break={fullSelector}",
        "--set",
        "workerPools.general.replicas=1",
    ]);
    let claim = format!("{release}-dagu-data");
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    on_the_claim(
        &pods,
        "write",
        &claim,
        "echo kept-across-the-upgrade > /data/marker",
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = support::rbac::least_privilege_kubeconfig(
        client.clone(),
        &ns.name,
        "upgrade-check.yaml",
        dir.path(),
    )
    .await;
    let kc = kubeconfig.to_str().unwrap();
    let check = |extra: &[&str], rendering: &[u8]| {
        let mut args = vec!["upgrade-check", release, "--kubeconfig", kc];
        args.extend_from_slice(extra);
        kubectl_dagu(&args, rendering)
    };

    // The 2.x chart with the old (default) values: standalone.
    let standalone = support::helm::run(&["template", release, "dagu-2", "-n", &ns.name]).stdout;
    let (code, out, err) = check(&[], &standalone);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("[immutable-field] Deployment/up-dagu-ui"),
        "{out}"
    );
    assert!(out.contains("field is immutable"), "{out}");
    assert!(
        out.contains("[deployment-mode] Deployment/up-dagu-coordinator"),
        "{out}"
    );
    assert!(out.contains("deploymentMode: distributed"), "{out}");

    // Distributed: the selector changes are the only blockers, and the steps resolve them.
    let values = [
        "-f",
        "values/distributed.yaml",
        "--set",
        "workerPools.general.replicas=1",
    ];
    let mut template = vec!["template", release, "dagu-2", "-n", &ns.name];
    template.extend_from_slice(&values);
    let distributed = support::helm::run(&template).stdout;
    let (code, out, err) = check(&[], &distributed);
    assert_eq!(code, 1, "{out}{err}");
    for d in ["ui", "coordinator", "scheduler", "worker-general"] {
        let step = format!(
            "kubectl delete deployment up-dagu-{d} -n {} --cascade=orphan",
            ns.name
        );
        assert!(out.contains(&step), "{step} missing:\n{out}");
    }
    // The same plan for scripts: one JSON document, the commands runnable as printed.
    let (code, out, err) = check(&["-o", "json"], &distributed);
    assert_eq!(code, 1, "{out}{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(
        (&plan["safe"], &plan["resolvable"]),
        (&false.into(), &true.into()),
        "{out}"
    );
    let commands: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["command"].as_str())
        .collect();
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("kubectl delete deployment up-dagu-ui ")),
        "{out}"
    );
    // Every kind of the rendering is checked: the optional Ingress is dry-run (a host the API refuses is
    // found), and a kind this 1.20 server does not serve (policy/v1 arrived in 1.21) is named.
    let mut template_ingress = template.clone();
    template_ingress.extend_from_slice(&[
        "--set",
        "ingress.enabled=true",
        "--set",
        "ingress.host=Not_A_Host",
    ]);
    let mut with_extras = support::helm::run(&template_ingress).stdout;
    with_extras.extend_from_slice(
        b"---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: up-extra\n  \
          labels: {app.kubernetes.io/instance: up}\nspec:\n  maxUnavailable: 1\n",
    );
    let (code, out, err) = check(&[], &with_extras);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("[invalid] Ingress/up-dagu-ui"), "{out}");
    assert!(
        out.contains("[kind-not-served] PodDisruptionBudget/up-extra"),
        "{out}"
    );

    let (code, out, err) = check(&["--apply", "--yes"], &distributed);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ran: kubectl delete deployment up-dagu-ui"),
        "{out}"
    );

    let mut upgrade = vec![
        "upgrade",
        release,
        "dagu-2",
        "-n",
        &ns.name,
        "--wait",
        "--timeout",
        "180s",
    ];
    upgrade.extend_from_slice(&values);
    support::helm::run(&upgrade);

    let doctor_kubeconfig = support::rbac::least_privilege_kubeconfig(
        client.clone(),
        &ns.name,
        "doctor.yaml",
        dir.path(),
    )
    .await;
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
        .args(["doctor", release, "--wait", "180s", "--kubeconfig"])
        .arg(&doctor_kubeconfig)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The old workers' ReplicaSet was not adopted (the pool label changed): doctor names it and the command.
    let rs_api: Api<ReplicaSet> = Api::namespaced(client.clone(), &ns.name);
    let orphans: Vec<String> = rs_api
        .list(&ListParams::default().labels("app.kubernetes.io/instance=up"))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .as_deref()
                .unwrap_or_default()
                .is_empty()
        })
        .filter_map(|rs| rs.metadata.name)
        .collect();
    assert!(
        orphans
            .iter()
            .any(|n| n.starts_with("up-dagu-worker-general-")),
        "{orphans:?}"
    );
    for name in &orphans {
        let command = format!("kubectl delete replicaset {name} -n {}", ns.name);
        assert!(report.contains(&command), "{command} missing:\n{report}");
        rs_api.delete(name, &DeleteParams::default()).await.unwrap();
    }
    support::poll_async("the orphans to go", Duration::from_secs(120), || async {
        let out = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
            .args(["doctor", release, "--kubeconfig"])
            .arg(&doctor_kubeconfig)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        (out.status.code() == Some(0) && !report.contains("kubectl delete replicaset"))
            .then_some(())
    })
    .await;

    let log = on_the_claim(&pods, "read", &claim, "cat /data/marker").await;
    assert_eq!(log.trim(), "kept-across-the-upgrade");
}
