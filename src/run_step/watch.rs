//! Watching one run: the Job and its pods through `kube::runtime::watcher` (no polling), log tasks started
//! as pods start (one attempt after another), and [`outcome::decide`] on every change.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use anyhow::{anyhow, Context as _, Result};
use futures::{Stream, StreamExt as _};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::{watcher, WatchStreamExt as _};
use kube::ResourceExt as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::cleanup::{Cleaner, Signals, Stop};
use super::outcome::{self, Decision};
use super::plan::Plan;
use super::run::sleep_until;
use super::status::Status;
use super::{job, logs, Args};
use crate::exit;

/// How long watches may keep failing (each retried with backoff) before the run is given up as a cluster
/// error: long enough for an API server restart, short enough not to hang on a cluster that is gone.
const WATCH_FAILURE_BUDGET: std::time::Duration = std::time::Duration::from_secs(90);

/// How a watched run ended.
pub enum Ended {
    Done {
        code: u8,
        reason: Option<String>,
        started: bool,
    },
    Stopped(Stop),
}

/// A log task following one pod; `terminated` tells it the container has ended.
struct LogTask {
    pod: String,
    handle: JoinHandle<Result<()>>,
    terminated: watch::Sender<bool>,
}

#[allow(clippy::too_many_arguments)]
pub async fn watch_run(
    args: &Args,
    plan: &Plan,
    cleaner: &Cleaner,
    name: &str,
    signals: &mut Signals,
    deadline: Option<tokio::time::Instant>,
    status: &mut Status,
) -> Result<Ended> {
    let retries = plan
        .config
        .get("backoff_limit")
        .and_then(|v| v.as_i64())
        .unwrap_or(0)
        > 0
        || plan.config.get("pod_failure_policy").is_some();
    let selector = format!("{}={}", job::RUN_LABEL, cleaner.run_id);
    let mut pod_events = events(
        cleaner.pods.clone(),
        watcher::Config::default().labels(&selector),
    );
    let mut job_events = events(
        cleaner.jobs.clone(),
        watcher::Config::default().fields(&format!("metadata.name={name}")),
    );
    let mut job: Option<Job> = None;
    let mut pods: BTreeMap<String, Pod> = BTreeMap::new();
    let mut gone: BTreeSet<String> = BTreeSet::new();
    let mut streamed: Vec<(String, Option<i32>)> = Vec::new();
    let mut logs: Option<LogTask> = None;
    let mut unschedulable_since: Option<Instant> = None;
    let mut failing_since: Option<Instant> = None;
    loop {
        // Tell a running log task when its container has ended.
        if let Some(task) = &logs {
            let ended = pods
                .get(&task.pod)
                .is_none_or(|p| outcome::terminated(p).is_some());
            if ended || gone.contains(&task.pod) {
                let _ = task.terminated.send(true);
            }
        }
        // Start following the next pod that has started, oldest first (one attempt after another).
        if logs.is_none() {
            let next = by_age(&pods)
                .into_iter()
                .find(|p| outcome::started(p) && !streamed.iter().any(|(n, _)| *n == p.name_any()));
            if let Some(pod) = next {
                status.clear();
                let pod_name = pod.name_any();
                if let Some((prev, code)) = streamed.last() {
                    let code = code.map_or("unknown".into(), |c| c.to_string());
                    eprintln!(
                        "--- attempt {}: pod {pod_name} (previous pod {prev} exited with {code})",
                        streamed.len() + 1
                    );
                }
                let (tx, rx) = watch::channel(outcome::terminated(pod).is_some());
                let handle = tokio::spawn(logs::follow(cleaner.pods.clone(), pod_name.clone(), rx));
                streamed.push((pod_name.clone(), None));
                logs = Some(LogTask {
                    pod: pod_name,
                    handle,
                    terminated: tx,
                });
            }
        }
        let newest = by_age(&pods).into_iter().last();
        let decision = outcome::decide(job.as_ref(), newest, retries);
        match &decision {
            Decision::Finish { code, reason } => {
                let pending = by_age(&pods).into_iter().any(|p| {
                    outcome::started(p) && !streamed.iter().any(|(n, _)| *n == p.name_any())
                });
                if logs.is_none() && !pending {
                    return Ok(Ended::Done {
                        code: *code,
                        reason: reason.clone(),
                        started: !streamed.is_empty(),
                    });
                }
            }
            Decision::Unschedulable(m) => {
                let since = *unschedulable_since.get_or_insert_with(Instant::now);
                let left = args.schedule_timeout.saturating_sub(since.elapsed());
                status.set(&format!("{m} (giving up in {}s)", left.as_secs()));
            }
            Decision::Wait(phase) => {
                unschedulable_since = None;
                status.set(phase);
            }
        }
        let schedule_deadline =
            unschedulable_since.map(|s| tokio::time::Instant::from_std(s + args.schedule_timeout));
        tokio::select! {
            ev = pod_events.next() => match ev {
                Some(Ok(watcher::Event::Apply(p) | watcher::Event::InitApply(p))) => { failing_since = None; pods.insert(p.name_any(), p); }
                Some(Ok(watcher::Event::Delete(p))) => { gone.insert(p.name_any()); pods.insert(p.name_any(), p); }
                Some(Ok(_)) => failing_since = None,
                Some(Err(e)) => watch_error(&mut failing_since, e, "pods")?,
                None => anyhow::bail!("the pod watch ended"),
            },
            ev = job_events.next() => match ev {
                Some(Ok(watcher::Event::Apply(j) | watcher::Event::InitApply(j))) => { failing_since = None; job = Some(j); }
                Some(Ok(watcher::Event::Delete(_))) => anyhow::bail!("job/{name} was deleted by someone else"),
                Some(Ok(_)) => failing_since = None,
                Some(Err(e)) => watch_error(&mut failing_since, e, "the Job")?,
                None => anyhow::bail!("the Job watch ended"),
            },
            done = async { (&mut logs.as_mut().expect("guarded").handle).await }, if logs.is_some() => {
                let task = logs.take().expect("guarded");
                done.context("the log task panicked")??;
                if let Some(entry) = streamed.iter_mut().find(|(n, _)| *n == task.pod) {
                    entry.1 = pods.get(&task.pod).and_then(outcome::terminated).map(|(c, _)| c);
                }
            }
            s = signals.recv() => return Ok(Ended::Stopped(s)),
            _ = sleep_until(deadline) => return Ok(Ended::Stopped(Stop::Timeout)),
            _ = sleep_until(schedule_deadline) => {
                let Decision::Unschedulable(m) = decision else { continue };
                let secs = args.schedule_timeout.as_secs();
                return Ok(Ended::Done { code: exit::FAILURE, reason: Some(format!("{m} (for {secs}s, --schedule-timeout)")), started: false });
            }
        }
    }
}

fn events<K>(
    api: Api<K>,
    config: watcher::Config,
) -> std::pin::Pin<Box<dyn Stream<Item = watcher::Result<watcher::Event<K>>> + Send>>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    watcher::watcher(api, config).default_backoff().boxed()
}

fn watch_error(failing_since: &mut Option<Instant>, err: watcher::Error, what: &str) -> Result<()> {
    let refused = match &err {
        watcher::Error::InitialListFailed(kube::Error::Api(ae))
        | watcher::Error::WatchStartFailed(kube::Error::Api(ae))
        | watcher::Error::WatchFailed(kube::Error::Api(ae)) => [401, 403, 404].contains(&ae.code),
        _ => false,
    };
    let since = *failing_since.get_or_insert_with(Instant::now);
    tracing::debug!(%err, what, "watch error; retrying");
    if refused || since.elapsed() > WATCH_FAILURE_BUDGET {
        return Err(anyhow!(err).context(format!("failed to watch {what}")));
    }
    Ok(())
}

/// Pods oldest first (creation time, then name).
fn by_age(pods: &BTreeMap<String, Pod>) -> Vec<&Pod> {
    let mut v: Vec<&Pod> = pods.values().collect();
    v.sort_by(|a, b| {
        let key = |p: &Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.name_any().cmp(&b.name_any()))
    });
    v
}

#[cfg(test)]
mod tests;
