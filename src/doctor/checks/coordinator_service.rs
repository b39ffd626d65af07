//! Every worker whose Dagu needs it (>= 2.9, or `latest`; the profile's Dagu version) runs with
//! `--worker.coordinators HOST:PORT`, and each HOST is a Service of the namespace with that port (2.x renders
//! `<fullname>-coordinator:50055`, 1.0.10-1.0.11 the `.<namespace>.svc.cluster.local` form). Without it the
//! worker exits with `worker.coordinators is required`; a name that is no Service leaves it dialling nothing.
//! (The post-render rule `worker-coordinators` checks the flag's form; this check, the live Service.)

use k8s_openapi::api::core::v1::Service;

use super::{object, Category, Check, Problem, Verdict};
use crate::doctor::release::{Component, Release};
use crate::post_render::profile::Dagu;

pub const CHECK: Check = Check {
    id: "coordinator-service",
    category: Category::Coordinator,
    description: "workers' --worker.coordinators names a Service with that port",
    hint: "workers need --worker.coordinators <fullname>-coordinator:50055 (chart 1.0.10+ renders it); \
           helm upgrade to such a chart, or re-apply the release through kubectl-dagu post-render",
    fatal: false,
    retry: false,
    run,
};

/// One `HOST:PORT` of a worker's `--worker.coordinators`, and the Service it names in the release's namespace.
pub struct Target<'a> {
    pub address: String,
    pub port: i32,
    pub service: Option<&'a Service>,
}

/// The targets of one worker (`None`: the flag is missing); `Err` for an address that is not HOST:PORT.
pub fn targets<'a>(
    release: &'a Release,
    worker: &Component,
) -> Option<Result<Vec<Target<'a>>, String>> {
    let flag = worker.flag("--worker.coordinators")?;
    Some(
        flag.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|address| {
                let (host, port) = address
                    .rsplit_once(':')
                    .and_then(|(h, p)| Some((h, p.parse::<i32>().ok()?)))
                    .ok_or_else(|| format!("{address:?} is not HOST:PORT"))?;
                let ns = &release.namespace;
                let name = [
                    format!(".{ns}.svc.cluster.local"),
                    format!(".{ns}.svc"),
                    format!(".{ns}"),
                ]
                .iter()
                .find_map(|suffix| host.strip_suffix(suffix.as_str()))
                .unwrap_or(host);
                let service = release
                    .objects
                    .services
                    .iter()
                    .find(|s| s.metadata.name.as_deref() == Some(name) && !name.contains('.'));
                Ok(Target {
                    address: address.to_string(),
                    port,
                    service,
                })
            })
            .collect(),
    )
}

fn run(release: &Release) -> Verdict {
    let mut problems = Vec::new();
    let workers: Vec<&Component> = release.of_role("worker").collect();
    if workers.is_empty() {
        return Verdict::Skip("no worker Deployments".into());
    }
    for w in workers {
        let obj = object("Deployment", &w.name);
        match targets(release, w) {
            None if !needs_coordinators(&release.dagu) => {}
            None => problems.push(Problem::error(
                obj,
                "runs without --worker.coordinators: Dagu >= 2.9 workers exit with \
                 `worker.coordinators is required`",
            )),
            Some(Err(e)) => {
                problems.push(Problem::error(obj, format!("--worker.coordinators {e}")))
            }
            Some(Ok(targets)) if targets.is_empty() => {
                problems.push(Problem::error(obj, "--worker.coordinators is empty"))
            }
            Some(Ok(targets)) => {
                for t in targets {
                    match t.service {
                        None => problems.push(Problem::error(
                            obj.clone(),
                            format!(
                                "--worker.coordinators {}: no Service of that name in namespace {:?}",
                                t.address, release.namespace
                            ),
                        )),
                        Some(s) if !service_ports(s).contains(&t.port) => problems.push(Problem::error(
                            obj.clone(),
                            format!(
                                "--worker.coordinators {}: Service {} has no port {} (its ports: {:?})",
                                t.address,
                                s.metadata.name.as_deref().unwrap_or_default(),
                                t.port,
                                service_ports(s)
                            ),
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    Verdict::from(problems)
}

/// Whether this Dagu's workers need `--worker.coordinators` (v2.9.0 removed shared-volume workers).
fn needs_coordinators(dagu: &Dagu) -> bool {
    match dagu {
        Dagu::Version(v) => *v >= semver::Version::new(2, 9, 0),
        Dagu::Latest | Dagu::Unknown => true,
    }
}

pub fn service_ports(s: &Service) -> Vec<i32> {
    s.spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .map(|p| p.iter().map(|p| p.port).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::checks::testing::{find, healthy, messages, run as check};
    use serde_json::json;

    fn with_command(command: serde_json::Value) -> String {
        let mut objects = healthy();
        find(&mut objects, "Deployment", "dagu-worker-general")["spec"]["template"]["spec"]
            ["containers"][0]["command"] = command;
        messages(&check(&CHECK, &objects))
    }

    #[test]
    fn missing_flag_unknown_service_and_wrong_port_fail() {
        assert_eq!(check(&CHECK, &healthy()), Verdict::Pass);
        assert!(
            with_command(json!(["dagu", "worker"])).contains("runs without --worker.coordinators")
        );
        assert!(with_command(json!([
            "dagu",
            "worker",
            "--worker.coordinators",
            "nope:50055"
        ]))
        .contains("no Service of that name"));
        assert!(with_command(json!([
            "dagu",
            "worker",
            "--worker.coordinators=dagu-coordinator:1"
        ]))
        .contains("has no port 1"));
        let long = json!([
            "dagu",
            "worker",
            "--worker.coordinators",
            "dagu-coordinator.ns.svc.cluster.local:50055"
        ]);
        assert!(with_command(long).contains("Pass"));
    }
}
