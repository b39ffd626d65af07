//! The real helm 3.10.1 for cluster tests: `$HELM`, else what `scripts/install-helm` prints (it installs it into
//! the cache when missing). `helm install`/`upgrade` run with the test cluster's admin kubeconfig.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// helm from `$HELM`, else from `scripts/install-helm`.
pub fn helm() -> PathBuf {
    if let Some(h) = std::env::var_os("HELM").filter(|h| !h.is_empty()) {
        let h = PathBuf::from(h);
        assert!(
            h.is_file(),
            "HELM={} does not exist: run scripts/install-helm and set HELM to what it prints",
            h.display()
        );
        return h;
    }
    let out = Command::new(root().join("scripts/install-helm")).output();
    match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8(o.stdout).unwrap().trim()),
        other => panic!(
            "helm 3.10.1 is needed for these tests and was not found: run scripts/install-helm (or set HELM) \
             ({other:?})"
        ),
    }
}

/// Runs helm with `args` in `tests/charts` against the test cluster; panics with its output when it fails.
pub fn run(args: &[&str]) -> Output {
    let out = Command::new(helm())
        .current_dir(root().join("tests/charts"))
        .env("KUBECONFIG", super::kubeconfig())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm {} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
