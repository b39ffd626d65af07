//! Finding the base files a DAG inherits, lowest first: the global base.yaml (`--base`, else
//! `$DAGU_HOME/base.yaml` when it exists), then — for a DAG labelled `workspace=<name>` — the workspace's
//! `<dags_dir>/workspaces/<name>/base.yaml` when it exists. `dags_dir` is `--dags-dir`, else `paths.dags_dir`
//! of the Dagu config (`--dagu-config`, else `$DAGU_HOME/config.yaml` when it exists), else `$DAGU_HOME/dags`.
//! The I/O edge of run-step's config layering; which workspace a DAG names is `workspace::name`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde_json::Value;

use super::workspace;

/// Where to look; `dagu_home` is `$DAGU_HOME`.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub base: Option<PathBuf>,
    pub dags_dir: Option<PathBuf>,
    pub dagu_config: Option<PathBuf>,
    pub dagu_home: Option<PathBuf>,
}

/// The base files for the DAG whose parsed root is `dag_root`: (name for messages, text), lowest first.
pub fn load(src: &Sources, dag_root: &Value) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    match global(src) {
        Some(path) => files.push(read(&path, "base.yaml")?),
        None => tracing::info!(
            "no global base.yaml: --base not given and $DAGU_HOME/base.yaml does not exist"
        ),
    }
    if let Some(name) = workspace::name(dag_root) {
        match dags_dir(src)? {
            Some(dir) => {
                let path = dir.join(workspace::DIR).join(&name).join(workspace::FILE);
                if path.is_file() {
                    files.push(read(&path, "the workspace base.yaml")?);
                } else {
                    tracing::info!(workspace = %name, path = %path.display(), "no workspace base.yaml");
                }
            }
            None => tracing::info!(
                workspace = %name,
                "no DAGs directory to find the workspace base.yaml in: give --dags-dir or set $DAGU_HOME"
            ),
        }
    }
    if !files.is_empty() {
        let order: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        tracing::info!("base files merged, in order: {}", order.join(", "));
    }
    Ok(files)
}

fn global(src: &Sources) -> Option<PathBuf> {
    src.base.clone().or_else(|| {
        let path = src.dagu_home.as_ref()?.join("base.yaml");
        path.is_file().then_some(path)
    })
}

/// The DAGs directory, as Dagu resolves it (the parts run-step needs).
pub fn dags_dir(src: &Sources) -> Result<Option<PathBuf>> {
    if let Some(dir) = &src.dags_dir {
        return Ok(Some(dir.clone()));
    }
    let config = src.dagu_config.clone().or_else(|| {
        let path = src.dagu_home.as_ref()?.join("config.yaml");
        path.is_file().then_some(path)
    });
    if let Some(path) = config {
        let (_, text) = read(&path, "the Dagu config")?;
        if let Some(dir) = configured_dags_dir(&text)
            .with_context(|| format!("the Dagu config {} is not valid YAML", path.display()))?
        {
            tracing::info!(config = %path.display(), dags_dir = %dir, "DAGs directory from the Dagu config");
            return Ok(Some(PathBuf::from(dir)));
        }
    }
    Ok(src.dagu_home.as_ref().map(|home| home.join("dags")))
}

/// `paths.dags_dir` of a Dagu config (else its older top-level `dags_dir`), when set.
pub fn configured_dags_dir(text: &str) -> Result<Option<String>> {
    let root: Value = serde_saphyr::from_str(text)?;
    let dir = root
        .pointer("/paths/dags_dir")
        .or_else(|| root.get("dags_dir"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    Ok(dir)
}

fn read(path: &Path, what: &str) -> Result<(String, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {what} {}", path.display()))?;
    Ok((path.display().to_string(), text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn dags_dir_precedence() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let mut src = Sources {
            dagu_home: Some(h.to_path_buf()),
            ..Default::default()
        };
        assert_eq!(dags_dir(&src).unwrap(), Some(h.join("dags")));
        write(h, "config.yaml", "paths:\n  dags_dir: /srv/dags\n");
        assert_eq!(dags_dir(&src).unwrap(), Some(PathBuf::from("/srv/dags")));
        let other = write(h, "other.yaml", "dags_dir: /legacy\n");
        src.dagu_config = Some(other);
        assert_eq!(dags_dir(&src).unwrap(), Some(PathBuf::from("/legacy")));
        src.dags_dir = Some("/flag".into());
        assert_eq!(dags_dir(&src).unwrap(), Some(PathBuf::from("/flag")));
        assert_eq!(dags_dir(&Sources::default()).unwrap(), None);
        let broken = Sources {
            dagu_config: Some(write(h, "broken.yaml", "paths: [\n")),
            ..Default::default()
        };
        assert!(dags_dir(&broken).is_err());
    }

    #[test]
    fn global_then_workspace_file() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        write(h, "base.yaml", "kubernetes: {namespace: g}\n");
        write(
            h,
            "dags/workspaces/ops/base.yaml",
            "kubernetes: {namespace: w}\n",
        );
        let src = Sources {
            dagu_home: Some(h.to_path_buf()),
            ..Default::default()
        };
        let names = |root| -> Vec<String> {
            let files = load(&src, &root).unwrap();
            files.into_iter().map(|(n, _)| n).collect()
        };
        let global = h.join("base.yaml").display().to_string();
        let ws = h
            .join("dags/workspaces/ops/base.yaml")
            .display()
            .to_string();
        assert_eq!(
            names(json!({"labels": {"workspace": "ops"}})),
            vec![global.clone(), ws]
        );
        assert_eq!(
            names(json!({"labels": {"workspace": "dev"}})),
            vec![global.clone()]
        );
        assert_eq!(names(json!({})), [global]);
    }
}
