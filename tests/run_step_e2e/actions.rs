//! Dagu 2.x steps on the cluster (issue 15): an `action: k8s.run` step, its settings and its command under
//! `with:`, runs to its container's exit code.

use super::harness::{output, Ns, IMAGE};

#[tokio::test(flavor = "multi_thread")]
async fn an_action_step_runs_to_its_exit_code() {
    let ns = Ns::new("action").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dag.yaml");
    let text = format!(
        "steps:\n  - id: s\n    action: k8s.run\n    with:\n      image: '{IMAGE}'\n      image_pull_policy: IfNotPresent\n      \
         termination_grace_period_seconds: 1\n      volumes: [{{name: scratch, empty_dir: {{}}}}]\n      \
         volume_mounts: [{{name: scratch, mount_path: /scratch}}]\n      \
         command: sh -c 'echo from-action > /scratch/f && cat /scratch/f && exit 7'\n"
    );
    std::fs::write(&path, text).unwrap();
    let (code, out, err) = output(ns.run_step(path.to_str().unwrap(), &[])).await;
    assert_eq!(code, 7, "stdout: {out}\nstderr: {err}");
    assert_eq!(out, "from-action\n");
    ns.assert_nothing_left("an action step with cleanup_policy delete")
        .await;
}
