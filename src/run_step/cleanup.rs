//! Deleting what a run created, and the interrupts that force it.
//!
//! Every Job and Pod of one run carries the label `kubectl-dagu/run=<id>`, so cleanup finds them by label even
//! when the create response never arrived. A normal end follows `cleanup_policy` (delete: the Job with
//! Background propagation, so its pods go too, and a pod whose container never ran at once; keep: nothing).
//! SIGINT, SIGTERM and `--timeout` always delete the Job and its pods and wait until the pods are gone; a
//! second SIGINT meanwhile exits at once, naming what may be left.

use anyhow::{Context as _, Result};
use futures::StreamExt as _;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams};
use kube::runtime::watcher::{self, Event};
use kube::ResourceExt as _;
use tokio::signal::unix::{signal, Signal, SignalKind};

use super::job::RUN_LABEL;
use crate::exit;

mod grace;
use grace::Grace;

/// Longest wait for the run's pods to stop after deletion (their grace period, 30 s by default, plus margin).
const MAX_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Why a run was stopped before it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
    Timeout,
}

impl Stop {
    pub fn code(self) -> u8 {
        match self {
            Stop::Interrupt => exit::SIGINT,
            Stop::Terminate => exit::SIGTERM,
            Stop::Timeout => exit::TIMEOUT,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Stop::Interrupt => "interrupted (SIGINT)",
            Stop::Terminate => "terminated (SIGTERM)",
            Stop::Timeout => "--timeout expired",
        }
    }
}

/// SIGINT and SIGTERM, installed before anything is created so none is missed.
pub struct Signals {
    int: Signal,
    term: Signal,
}

impl Signals {
    pub fn install() -> Result<Self> {
        Ok(Self {
            int: signal(SignalKind::interrupt()).context("failed to install the SIGINT handler")?,
            term: signal(SignalKind::terminate())
                .context("failed to install the SIGTERM handler")?,
        })
    }

    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.int.recv() => Stop::Interrupt,
            _ = self.term.recv() => Stop::Terminate,
        }
    }
}

/// Deletes one run's Job and Pods.
pub struct Cleaner {
    pub jobs: Api<Job>,
    pub pods: Api<Pod>,
    pub namespace: String,
    pub run_id: String,
}

impl Cleaner {
    fn selector(&self) -> String {
        format!("{RUN_LABEL}={}", self.run_id)
    }

    /// The command that removes whatever is left.
    pub fn leftover_hint(&self) -> String {
        format!(
            "kubectl delete job,pod -n {} -l {}",
            self.namespace,
            self.selector()
        )
    }

    /// `cleanup_policy: delete` after a normal end: delete the Job (Background propagation takes its pods),
    /// then delete at once, with no grace period, any pod of the run whose container never ran, so nothing
    /// lingers `Terminating` (see [`grace`]).
    pub async fn delete_run(&self, name: &str) -> Result<()> {
        self.delete_job(name).await?;
        self.delete_pods(|g| g == Grace::None).await
    }

    /// Deletes one Job with Background propagation; a Job already gone is fine.
    async fn delete_job(&self, name: &str) -> Result<()> {
        match self.jobs.delete(name, &DeleteParams::background()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(ae)) if ae.code == 404 => Ok(()),
            Err(e) => Err(e).with_context(|| {
                format!(
                    "failed to delete job/{name}; remove it with: {}",
                    self.leftover_hint()
                )
            }),
        }
    }

    /// Deletes the run's pods whose decided grace `which` selects, each with that grace period.
    async fn delete_pods(&self, which: impl Fn(Grace) -> bool) -> Result<()> {
        let lp = ListParams::default().labels(&self.selector());
        let pods = self
            .pods
            .list(&lp)
            .await
            .context("failed to list the pods")?;
        for pod in pods {
            let grace = grace::for_pod(&pod);
            if !which(grace) {
                continue;
            }
            let dp = DeleteParams {
                grace_period_seconds: grace.seconds(),
                ..DeleteParams::default()
            };
            match self.pods.delete(&pod.name_any(), &dp).await {
                Ok(_) => {}
                Err(kube::Error::Api(ae)) if ae.code == 404 => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("failed to delete pod/{}", pod.name_any()))
                }
            }
        }
        Ok(())
    }

    /// Deletes the run's Jobs and Pods by label and waits until no pod of the run is left. Lists and deletes
    /// one by one rather than `deletecollection`, so the documented least-privilege Role suffices. A pod
    /// whose container never ran goes with no grace period, any other with its own.
    pub async fn force(&self) -> Result<()> {
        let lp = ListParams::default().labels(&self.selector());
        for job in self
            .jobs
            .list(&lp)
            .await
            .context("failed to list the Job")?
        {
            self.delete_job(&job.name_any()).await?;
        }
        self.delete_pods(|_| true).await?;
        tokio::time::timeout(MAX_STOP_WAIT, self.wait_pods_gone())
            .await
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "pods still stopping after {}s",
                    MAX_STOP_WAIT.as_secs()
                ))
            })
    }

    /// Watches the run's pods until none is left (a pod created while the Job was being deleted is
    /// deleted by the garbage collector and shows up here first).
    async fn wait_pods_gone(&self) -> Result<()> {
        let config = watcher::Config::default().labels(&self.selector());
        let mut events = watcher::watcher(self.pods.clone(), config).boxed();
        let mut left = std::collections::BTreeSet::new();
        let mut listed = false;
        while let Some(event) = events.next().await {
            match event.context("failed to watch the pods being deleted")? {
                Event::Init => left.clear(),
                Event::InitApply(p) | Event::Apply(p) => {
                    left.insert(p.metadata.name.unwrap_or_default());
                }
                Event::Delete(p) => {
                    left.remove(&p.metadata.name.unwrap_or_default());
                }
                Event::InitDone => listed = true,
            }
            if listed && left.is_empty() {
                return Ok(());
            }
            if listed {
                tracing::info!(pods = ?left, "waiting for the pods to stop (their termination grace period)");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
