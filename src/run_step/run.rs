//! The async edge: create the Job, watch it and its pods, stream the logs, end as [`outcome`] decides, clean
//! up as [`cleanup`] says. Everything decided here comes from pure functions; this file only does I/O.

use anyhow::{anyhow, Context as _, Result};
use kube::api::{Api, PostParams};
use kube::ResourceExt as _;

use super::cleanup::{Cleaner, Signals, Stop};
use super::compat;
use super::plan::Plan;
use super::rules::cleanup_policy::Cleanup;
use super::status::Status;
use super::watch::{watch_run, Ended};
use super::{job, Args};
use crate::exit::{self, with_code};
use crate::kube_client::{self, KubeArgs};

pub fn execute(args: &Args, plan: &Plan, namespace: &str) -> Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(execute_async(args, plan, namespace))
}

async fn execute_async(args: &Args, plan: &Plan, namespace: &str) -> Result<u8> {
    let mut signals = Signals::install()?;
    let deadline = args.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut status = Status::new();
    status.set("connecting to the cluster");
    let setting = |key: &str| {
        plan.config
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let kube_args = KubeArgs {
        kubeconfig: args
            .kube
            .kubeconfig
            .clone()
            .or_else(|| setting("kubeconfig").map(Into::into)),
        context: args.kube.context.clone().or_else(|| setting("context")),
        namespace: Some(namespace.to_string()),
    };
    let (client, _) = kube_client::client(&kube_args)
        .await
        .map_err(|e| with_code(exit::CLUSTER, e))?;
    check_server(&client, plan, args.strict).await?;
    let run_id = run_id();
    let job = job::build(plan, namespace, Some(&run_id))?;
    let cleaner = Cleaner {
        jobs: Api::namespaced(client.clone(), namespace),
        pods: Api::namespaced(client, namespace),
        namespace: namespace.to_string(),
        run_id,
    };

    status.set("creating the Job");
    // A signal or the deadline during the create request is acted on once it returns, so a Job the server
    // created is never missed by cleanup.
    let post = PostParams::default();
    let create = cleaner.jobs.create(&post, &job);
    tokio::pin!(create);
    let mut stop = None;
    let created = loop {
        tokio::select! {
            r = &mut create => break r,
            s = signals.recv(), if stop.is_none() => stop = Some(s),
            _ = sleep_until(deadline), if stop.is_none() => stop = Some(Stop::Timeout),
        }
    };
    let created = match (created, stop) {
        (_, Some(s)) => return stopped(s, &cleaner, &mut signals, &mut status).await,
        (Ok(j), None) => j,
        (Err(e), None) => {
            let e =
                anyhow!(e).context(format!("failed to create the Job in namespace {namespace}"));
            return Err(with_code(exit::CLUSTER, e));
        }
    };
    let name = created.name_any();
    tracing::info!("created job/{name} in namespace {namespace}");

    let watched = watch_run(
        args,
        plan,
        &cleaner,
        &name,
        &mut signals,
        deadline,
        &mut status,
    )
    .await;
    status.clear();
    match watched {
        Ok(Ended::Done {
            code,
            reason,
            started,
        }) => {
            if let Some(r) = &reason {
                crate::output::error(&format!("step {} failed: {r}", plan.step));
            }
            match plan.cleanup {
                Cleanup::Delete => cleaner
                    .delete_run(&name)
                    .await
                    .map_err(|e| with_code(exit::CLUSTER, e))?,
                Cleanup::Keep => eprintln!(
                    "kept job/{name} in namespace {namespace} (cleanup_policy: keep{})",
                    if started {
                        ""
                    } else {
                        ", the step never started"
                    }
                ),
            }
            Ok(code)
        }
        Ok(Ended::Stopped(s)) => stopped(s, &cleaner, &mut signals, &mut status).await,
        Err(e) => {
            let cleaned = cleaner.force().await;
            let e = match cleaned {
                Ok(()) => e.context(format!("job/{name} and its pods were deleted")),
                Err(c) => e.context(format!(
                    "{c:#}; remove what is left with: {}",
                    cleaner.leftover_hint()
                )),
            };
            Err(with_code(exit::CLUSTER, e))
        }
    }
}

/// Warns (or with `--strict` refuses, exit 2) when the server would silently drop a configured field.
async fn check_server(client: &kube::Client, plan: &Plan, strict: bool) -> Result<()> {
    let version = client.apiserver_version().await.map_err(|e| {
        with_code(
            exit::CLUSTER,
            anyhow!(e).context("failed to read the API server version"),
        )
    })?;
    let Some(minor) = compat::minor(&version.major, &version.minor) else {
        return Ok(());
    };
    for problem in compat::dropped(&plan.config, minor) {
        if strict {
            return Err(with_code(exit::USAGE, anyhow!("{problem} (--strict)")));
        }
        crate::output::warning(&problem);
    }
    Ok(())
}

/// Forced cleanup after an interrupt or a timeout; a second SIGINT/SIGTERM exits at once.
async fn stopped(
    stop: Stop,
    cleaner: &Cleaner,
    signals: &mut Signals,
    status: &mut Status,
) -> Result<u8> {
    status.clear();
    eprintln!("{}: deleting the Job and its pods", stop.describe());
    tokio::select! {
        r = cleaner.force() => match r {
            Ok(()) => Ok(stop.code()),
            Err(e) => Err(with_code(stop.code(), e.context(format!("remove what is left with: {}", cleaner.leftover_hint())))),
        },
        again = signals.recv() => {
            eprintln!("{}: exiting now; the Job and its pods may be left behind: {}", again.describe(), cleaner.leftover_hint());
            Ok(stop.code())
        }
    }
}

pub async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A label value unique to this invocation: time and process id, base 36.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut n = nanos ^ (u128::from(std::process::id()) << 64);
    let mut s = String::new();
    while n > 0 && s.len() < 16 {
        s.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
    }
    s
}
