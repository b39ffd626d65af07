//! Finding the base files a DAG inherits, lowest first: the global base.yaml (`--base`, else
//! `$DAGU_BASE_CONFIG`, else `paths.base_config` of the Dagu config, else `$DAGU_HOME/base.yaml`, each of the
//! last two when it exists), then — for a DAG labelled `workspace=<name>` — the workspace's
//! `<dags_dir>/workspaces/<name>/base.yaml` when it exists. `dags_dir` is `--dags-dir`, else `$DAGU_DAGS_DIR`
//! (or `$DAGU_DAGS`), else `paths.dags_dir` of the Dagu config, else `$DAGU_HOME/dags`: Dagu's own order
//! (environment over config file). The Dagu config is `--dagu-config`, else `$DAGU_HOME/config.yaml` when it
//! exists.
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
    /// `$DAGU_DAGS_DIR`, else `$DAGU_DAGS`.
    pub env_dags_dir: Option<PathBuf>,
    /// `$DAGU_BASE_CONFIG`.
    pub env_base_config: Option<PathBuf>,
}

impl Sources {
    /// From the flags and this process's environment.
    pub fn from_env(
        base: Option<PathBuf>,
        dags_dir: Option<PathBuf>,
        dagu_config: Option<PathBuf>,
    ) -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Sources {
            base,
            dags_dir,
            dagu_config,
            dagu_home: var("DAGU_HOME"),
            env_dags_dir: var("DAGU_DAGS_DIR").or_else(|| var("DAGU_DAGS")),
            env_base_config: var("DAGU_BASE_CONFIG"),
        }
    }
}

/// The base files for the DAG whose parsed root is `dag_root`: (name for messages, text), lowest first.
pub fn load(src: &Sources, dag_root: &Value) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    match global(src)? {
        Some(path) => files.push(read(&path, "base.yaml")?),
        None => tracing::info!(
            "no global base.yaml: no --base, $DAGU_BASE_CONFIG or paths.base_config, and \
             $DAGU_HOME/base.yaml does not exist"
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

fn global(src: &Sources) -> Result<Option<PathBuf>> {
    if let Some(path) = src.base.clone().or_else(|| src.env_base_config.clone()) {
        return Ok(Some(path));
    }
    if let Some(path) = configured(src, "/paths/base_config", "base_config")? {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(Some(path));
        }
        tracing::info!(path = %path.display(), "paths.base_config of the Dagu config does not exist");
    }
    Ok(src
        .dagu_home
        .as_ref()
        .map(|h| h.join("base.yaml"))
        .filter(|p| p.is_file()))
}

/// A path setting of the Dagu config (`pointer`, else the older top-level `legacy` key), when there is a
/// config and it sets one.
fn configured(src: &Sources, pointer: &str, legacy: &str) -> Result<Option<String>> {
    let config = src.dagu_config.clone().or_else(|| {
        let path = src.dagu_home.as_ref()?.join("config.yaml");
        path.is_file().then_some(path)
    });
    let Some(path) = config else {
        return Ok(None);
    };
    let (_, text) = read(&path, "the Dagu config")?;
    let value = config_path(&text, pointer, legacy)
        .with_context(|| format!("the Dagu config {} is not valid YAML", path.display()))?;
    if let Some(v) = &value {
        tracing::info!(config = %path.display(), setting = pointer, value = %v, "from the Dagu config");
    }
    Ok(value)
}

/// The DAGs directory, as Dagu resolves it (the parts run-step needs).
pub fn dags_dir(src: &Sources) -> Result<Option<PathBuf>> {
    if let Some(dir) = src.dags_dir.clone().or_else(|| src.env_dags_dir.clone()) {
        return Ok(Some(dir));
    }
    if let Some(dir) = configured(src, "/paths/dags_dir", "dags_dir")? {
        return Ok(Some(PathBuf::from(dir)));
    }
    Ok(src.dagu_home.as_ref().map(|home| home.join("dags")))
}

/// The string at `pointer` of a Dagu config (else its older top-level `legacy` key), when set.
fn config_path(text: &str, pointer: &str, legacy: &str) -> Result<Option<String>> {
    let root: Value = serde_saphyr::from_str(text)?;
    let dir = root
        .pointer(pointer)
        .or_else(|| root.get(legacy))
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
        src.env_dags_dir = Some("/env".into());
        assert_eq!(dags_dir(&src).unwrap(), Some(PathBuf::from("/flag")));
        src.dags_dir = None;
        assert_eq!(
            dags_dir(&src).unwrap(),
            Some(PathBuf::from("/env")),
            "environment over config"
        );
    }

    #[test]
    fn global_base_precedence() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let mut src = Sources {
            dagu_home: Some(h.to_path_buf()),
            ..Default::default()
        };
        assert_eq!(global(&src).unwrap(), None);
        let in_home = write(h, "base.yaml", "kubernetes: {}\n");
        assert_eq!(global(&src).unwrap(), Some(in_home.clone()));
        write(
            h,
            "config.yaml",
            "paths:\n  base_config: /nowhere/base.yaml\n",
        );
        assert_eq!(
            global(&src).unwrap(),
            Some(in_home),
            "a configured file that is missing"
        );
        let configured = write(h, "etc/base.yaml", "kubernetes: {}\n");
        let text = format!("paths:\n  base_config: {}\n", configured.display());
        write(h, "config.yaml", &text);
        assert_eq!(global(&src).unwrap(), Some(configured));
        src.env_base_config = Some("/env/base.yaml".into());
        assert_eq!(global(&src).unwrap(), Some(PathBuf::from("/env/base.yaml")));
        src.base = Some("/flag/base.yaml".into());
        assert_eq!(
            global(&src).unwrap(),
            Some(PathBuf::from("/flag/base.yaml"))
        );
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
