//! The only place where `--kubeconfig`, `--context`, `KUBECONFIG` and in-cluster config become a [`Client`].
//!
//! Resolution follows kubectl: `--kubeconfig` (or a DAG's `kubeconfig:`), then `KUBECONFIG` and
//! `~/.kube/config`, then the in-cluster service account. A kubeconfig or context given explicitly that does not
//! work is an error: there is no silent fallback to another cluster.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// Cluster flags shared by every subcommand that talks to Kubernetes (flattened into each).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KubeArgs {
    /// Path to the kubeconfig file [default: $KUBECONFIG, then ~/.kube/config, then in-cluster]
    #[arg(long, value_name = "FILE", global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use [default: the current context]
    #[arg(long, value_name = "NAME", global = true)]
    pub context: Option<String>,
    /// The namespace [default: port-forward: the context's namespace; run-step: the DAG's `namespace`;
    /// then "default"]
    #[arg(short = 'n', long, value_name = "NS", global = true)]
    pub namespace: Option<String>,
}

/// Where the client configuration came from, for `-v` logs and error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Explicit(PathBuf),
    Default,
    InCluster,
}

/// Builds a [`Config`] the way kubectl does; explicit settings that fail are errors, never a fallback.
pub async fn config(args: &KubeArgs) -> Result<(Config, Source)> {
    let options = KubeConfigOptions {
        context: args.context.clone(),
        ..Default::default()
    };
    if let Some(path) = &args.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .with_context(|| format!("failed to read kubeconfig {}", path.display()))?;
        let config = Config::from_custom_kubeconfig(kc, &options)
            .await
            .with_context(|| format!("failed to load kubeconfig {}", path.display()))?;
        return Ok((config, Source::Explicit(path.clone())));
    }
    match Kubeconfig::read() {
        Ok(kc) => {
            let config = Config::from_custom_kubeconfig(kc, &options)
                .await
                .context("failed to load the kubeconfig from $KUBECONFIG or ~/.kube/config")?;
            Ok((config, Source::Default))
        }
        Err(read_err) => {
            if args.context.is_some() || std::env::var_os("KUBECONFIG").is_some() {
                return Err(read_err)
                    .context("failed to read the kubeconfig ($KUBECONFIG or ~/.kube/config)");
            }
            let config = Config::incluster().map_err(|e| {
                anyhow::anyhow!(
                    "no kubeconfig found ({read_err}) and not running in a cluster ({e}); \
                     pass --kubeconfig FILE or set KUBECONFIG"
                )
            })?;
            Ok((config, Source::InCluster))
        }
    }
}

/// A [`Client`] and the namespace to use: `-n`, else the context's namespace, else `default`.
pub async fn client(args: &KubeArgs) -> Result<(Client, String)> {
    let (config, source) = config(args).await?;
    tracing::debug!(?source, cluster = %config.cluster_url, "cluster configuration");
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let client = Client::try_from(config).context("failed to build a Kubernetes client")?;
    Ok((client, namespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn explicit_kubeconfig_that_is_missing_is_an_error() {
        let args = KubeArgs {
            kubeconfig: Some("/nonexistent/kubeconfig".into()),
            ..Default::default()
        };
        let err = config(&args).await.unwrap_err();
        assert!(
            format!("{err:#}").contains("/nonexistent/kubeconfig"),
            "{err:#}"
        );
    }

    #[tokio::test]
    async fn explicit_context_that_does_not_exist_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n\
             users: [{name: u, user: {token: t}}]\ncontexts: [{name: ok, context: {cluster: c, user: u}}]\n\
             current-context: ok\n",
        )
        .unwrap();
        let args = KubeArgs {
            kubeconfig: Some(path),
            context: Some("nope".into()),
            ..Default::default()
        };
        let err = config(&args).await.unwrap_err();
        assert!(format!("{err:#}").contains("nope"), "{err:#}");
    }
}
