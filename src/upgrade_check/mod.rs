//! `kubectl dagu upgrade-check`: read the new rendering on stdin, fetch the release's live objects, ask the
//! API server (server-side dry-run) whether it accepts each create and update, and print the [`plan`]: what the
//! upgrade breaks and the steps to run before `helm upgrade`. `--apply` runs those steps after a confirmation.

mod input;
mod kinds;
pub mod plan;
mod report;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use kube::api::{
    ApiResource, DeleteParams, DynamicObject, ListParams, PostParams, PropagationPolicy,
};
use kube::{Api, Client};
use serde_json::Value;

use crate::cli::GlobalArgs;
use crate::exit;
use crate::kube_client::KubeArgs;
use crate::output::Format;
use kinds::Resource;
use plan::{key, DryRun, Key, Step};
use report::{confirm, json, render};

const AFTER_HELP: &str = "\
Examples:
  helm template dagu dagu/dagu --version 2.0.3 -f values.yaml -n dagu \\
      | kubectl dagu upgrade-check dagu -n dagu -f values.yaml
  helm template dagu dagu/dagu --version 2.0.3 -f values.yaml -n dagu \\
      | kubectl dagu upgrade-check dagu -n dagu --apply --yes && helm upgrade dagu dagu/dagu ...

Every create and update of the new rendering is sent to the API server as a dry run (nothing
changes): what it refuses (an immutable selector, a claim's spec) is reported with its message.
Objects the upgrade deletes are listed with the value that keeps them. The steps printed
(kubectl delete deployment X --cascade=orphan: the pods keep serving until the new ReplicaSet's
are Ready) make the upgrade go through; --apply runs them after asking (--yes: without asking).

-o json prints the same plan as one JSON document (safe, resolvable, items, steps with their
commands) for scripts; with --apply the \"ran:\" and \"nothing run\" lines then go to stderr.

Exit codes: 0 safe as is (or --apply ran every step the plan needs); 1 blocked (the plan is
printed); 2 unreadable input or bad flags; 3 the cluster cannot be reached or refused a request.
RBAC: docs/rbac/upgrade-check.yaml (dry-run create/update needs the create/update verbs).";

/// Flags of `kubectl dagu upgrade-check`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The Helm release to upgrade.
    #[arg(default_value = "dagu")]
    pub release: String,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// The values file the new rendering used (repeatable), to find values traps of the target chart.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Output: the plan as text, or as json (items with their ids, steps with their commands).
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Run the plan's steps (after a confirmation on the terminal).
    #[arg(long)]
    pub apply: bool,
    /// With --apply: do not ask.
    #[arg(long, requires = "apply")]
    pub yes: bool,
}

/// Where the least-privilege Role is documented (named when the server says 403).
const ROLE: &str = "docs/rbac/upgrade-check.yaml";

pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    let new = input::read_rendering().map_err(|e| exit::with_code(exit::USAGE, e))?;
    let values = input::load_values(&args.values).map_err(|e| exit::with_code(exit::USAGE, e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(check(args, new, values))
}

async fn check(args: &Args, new: Vec<Value>, values: Option<Value>) -> anyhow::Result<u8> {
    let (client, ns) = crate::kube_client::client(&args.kube)
        .await
        .map_err(|e| exit::with_code(exit::CLUSTER, e))?;
    let types = kinds::resolve(&client, &new).await.map_err(|e| {
        crate::doctor::cluster_error(ROLE, e, "discover the rendering's kinds", &ns)
    })?;
    let mut listed = kinds::known();
    for resource in types.values() {
        if let Resource::Namespaced(ar) = resource {
            if !listed
                .iter()
                .any(|k| (&k.api_version, &k.kind) == (&ar.api_version, &ar.kind))
            {
                listed.push(ar.clone());
            }
        }
    }
    let live = fetch_live(&client, &ns, &args.release, &listed).await?;
    let mut dry_runs = BTreeMap::new();
    for obj in &new {
        let (Some(k), Some(t)) = (key(obj), kinds::type_of(obj)) else {
            continue;
        };
        let answer = match &types[&t] {
            Resource::Namespaced(ar) => {
                let existing = live.iter().find(|l| key(l).as_ref() == Some(&k));
                dry_run(&client, &ns, ar, obj, existing).await?
            }
            Resource::Cluster => DryRun::NotChecked(format!(
                "{} {} is cluster-scoped; upgrade-check checks the release's namespace only",
                t.0, t.1
            )),
            Resource::NotServed(why) => DryRun::NotServed(format!("{} {}: {why}", t.0, t.1)),
        };
        dry_runs.insert(k, answer);
    }
    let plan = plan::plan(&new, &live, &dry_runs, values.as_ref());
    let mut out = std::io::stdout().lock();
    let report = match args.output {
        Format::Text => render(&plan, &args.release, &ns, new.len(), live.len()),
        Format::Json => json(&plan, &args.release, &ns, new.len(), live.len()),
    };
    out.write_all(report.as_bytes())?;
    out.flush()?;
    if plan.safe() {
        return Ok(exit::SUCCESS);
    }
    if !args.apply || plan.steps.is_empty() {
        return Ok(exit::FAILURE);
    }
    // What --apply did, after the report: with -o json stdout carries only the json document.
    let mut progress = |line: &str| match args.output {
        Format::Text => writeln!(out, "{line}"),
        Format::Json => writeln!(std::io::stderr(), "{line}"),
    };
    if !args.yes && !confirm(plan.steps.len())? {
        progress("nothing run")?;
        return Ok(exit::FAILURE);
    }
    for step in &plan.steps {
        apply(&client, &ns, step).await?;
        progress(&format!("ran: {}", step.command(&ns)))?;
    }
    Ok(if plan.resolvable() {
        exit::SUCCESS
    } else {
        exit::FAILURE
    })
}

async fn fetch_live(
    client: &Client,
    ns: &str,
    release: &str,
    kinds: &[ApiResource],
) -> anyhow::Result<Vec<Value>> {
    let params = ListParams::default().labels(&format!("app.kubernetes.io/instance={release}"));
    let mut out = Vec::new();
    for ar in kinds {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, ar);
        let list = api.list(&params).await.map_err(|e| {
            crate::doctor::cluster_error(ROLE, e, &format!("list {}", ar.plural), ns)
        })?;
        for mut o in list.items {
            o.types = Some(kube::api::TypeMeta {
                api_version: ar.api_version.clone(),
                kind: ar.kind.clone(),
            });
            out.push(serde_json::to_value(o)?);
        }
    }
    Ok(out)
}

/// Dry runs of an update that meet a 409 (a controller wrote the object, its status, since it was read) and
/// are sent again with the object read anew. Helm's own patch carries no resourceVersion, so such a conflict
/// says nothing about the upgrade.
const CONFLICT_RETRIES: usize = 10;

async fn dry_run(
    client: &Client,
    ns: &str,
    ar: &ApiResource,
    new: &Value,
    live: Option<&Value>,
) -> anyhow::Result<DryRun> {
    let k: Key = key(new).expect("keyed");
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, ar);
    let pp = PostParams {
        dry_run: true,
        field_manager: Some("kubectl-dagu".into()),
    };
    let what = || {
        let verb = if live.is_some() { "update" } else { "create" };
        format!("dry-run {verb} {}/{}", k.0, k.1)
    };
    let mut live = live.cloned();
    let mut attempt = 0;
    loop {
        let mut body = match &live {
            Some(l) => plan::prepare_update(new, l),
            None => new.clone(),
        };
        body["metadata"]["namespace"] = Value::String(ns.to_string());
        let obj: DynamicObject =
            serde_json::from_value(body).context("an object of the rendering")?;
        let result = match live {
            Some(_) => api.replace(&k.1, &pp, &obj).await.map(|_| ()),
            None => api.create(&pp, &obj).await.map(|_| ()),
        };
        return match result {
            Ok(()) => Ok(DryRun::Accepted),
            Err(kube::Error::Api(s))
                if s.code == 409 && live.is_some() && attempt < CONFLICT_RETRIES =>
            {
                attempt += 1;
                live = read(&api, &k.1, ns).await?.or(live);
                continue;
            }
            Err(kube::Error::Api(s)) if s.code == 422 => Ok(DryRun::Invalid(s.message)),
            Err(kube::Error::Api(s)) if s.code != 403 && s.code != 401 => {
                Ok(DryRun::Refused(s.code, s.message))
            }
            Err(e) => Err(crate::doctor::cluster_error(ROLE, e, &what(), ns)),
        };
    }
}

/// The object `name` as it is now, by a list (the Role's `list` verb suffices).
async fn read(api: &Api<DynamicObject>, name: &str, ns: &str) -> anyhow::Result<Option<Value>> {
    let lp = ListParams::default().fields(&format!("metadata.name={name}"));
    let list = api
        .list(&lp)
        .await
        .map_err(|e| crate::doctor::cluster_error(ROLE, e, &format!("list {name}"), ns))?;
    Ok(list
        .items
        .into_iter()
        .next()
        .map(serde_json::to_value)
        .transpose()?)
}

async fn apply(client: &Client, ns: &str, step: &Step) -> anyhow::Result<()> {
    match step {
        Step::OrphanDelete { kind, name } => {
            let ar = kinds::known()
                .into_iter()
                .find(|ar| ar.kind == *kind)
                .context("a kind upgrade-check knows")?;
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
            let dp = DeleteParams {
                propagation_policy: Some(PropagationPolicy::Orphan),
                ..DeleteParams::default()
            };
            api.delete(name, &dp).await.map_err(|e| {
                crate::doctor::cluster_error(ROLE, e, &format!("delete {kind} {name}"), ns)
            })?;
            wait_gone(&api, kind, name, ns).await?;
        }
    }
    Ok(())
}

/// Longest wait for an orphan-deleted object to leave the API (the garbage collector first orphans its
/// dependents and removes the `orphan` finalizer; measured well under a second on the test cluster).
const GONE_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Waits until `name` is gone, as `kubectl delete` does: until then it still exists with a deletion
/// timestamp, and a `helm upgrade` started meanwhile finds it, patches it and fails with "not found".
/// Lists by name, so the Role's `list` verb suffices.
async fn wait_gone(
    api: &Api<DynamicObject>,
    kind: &str,
    name: &str,
    ns: &str,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + GONE_WAIT;
    loop {
        let Some(left) = read(api, name, ns).await? else {
            return Ok(());
        };
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!(
                "{kind} {name} is still being deleted after {}s (its finalizers: {}); wait for it to go \
                 before helm upgrade",
                GONE_WAIT.as_secs(),
                left.pointer("/metadata/finalizers").unwrap_or(&Value::Null)
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
