//! `kubectl dagu port-forward`: release → Service ([`target`]) → Ready pod and port ([`pod`]), kept current by a
//! pod watcher ([`follow`]); each accepted connection ([`accept`]) opens a fresh port-forward to the current pod
//! ([`connection`]), so a replaced pod costs only the connections open at that moment.

mod accept;
mod connection;
mod follow;
mod fullname;
mod pod;
mod port_spec;
mod target;
mod transport;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::ListParams;
use kube::{Api, Client};

use crate::cli::GlobalArgs;
use crate::exit;
use crate::kube_client::KubeArgs;
pub use port_spec::PortSpec;
pub use target::Component;
pub use transport::Transport;

const AFTER_HELP: &str = "\
Examples:
  kubectl dagu port-forward                        release dagu, current namespace, UI :8080
  kubectl dagu port-forward prod -n dagu           Service prod-dagu-ui in namespace dagu
  kubectl dagu port-forward prod --port 9000       local port 9000 to the UI Service port
  kubectl dagu port-forward prod --port 0          a free local port (printed)
  kubectl dagu port-forward wf --name-override x   installed with --set nameOverride=x
  kubectl dagu port-forward --component scheduler  the scheduler's health port (8090)
  kubectl dagu port-forward --transport websocket  through a proxy that passes WebSockets, not SPDY

Prints `Forwarding from http://127.0.0.1:PORT -> POD:PORT` on stdout. Each new connection goes to
the pod that is Ready now; while none is, it waits up to --ready-timeout for the next one.

Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 no Ready pod at start, or the local port cannot be
bound; 2 bad flags, or no such Service or Service port; 3 invalid kubeconfig or context, or an
API error (unreachable, forbidden).
RBAC: get/list services, get/list/watch pods, get+create pods/portforward (docs/port-forward.md).";

/// Flags of `kubectl dagu port-forward`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The Helm release name Dagu was installed as.
    #[arg(default_value = "dagu")]
    pub release: String,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Which component's Service to forward to.
    #[arg(long, value_enum, default_value_t = Component::Ui)]
    pub component: Component,
    /// Local address to listen on (an IP, or localhost). A non-loopback address prints a warning.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1", value_parser = port_spec::parse_address)]
    pub address: IpAddr,
    /// LOCAL[:REMOTE]: local port (0 picks a free one) and Service port [default: the Service's port for both]
    #[arg(long, value_name = "LOCAL[:REMOTE]", value_parser = port_spec::parse_port)]
    pub port: Option<PortSpec>,
    /// The chart's nameOverride, if the release was installed with one.
    #[arg(long, value_name = "NAME")]
    pub name_override: Option<String>,
    /// The chart's fullnameOverride, if the release was installed with one.
    #[arg(long, value_name = "NAME")]
    pub fullname_override: Option<String>,
    /// How long a connection (or the start) waits for a Ready pod before giving up, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub ready_timeout: u64,
    /// Protocol to the API server: spdy (as kubectl) or websocket (for proxies that only pass WebSockets).
    #[arg(long, value_enum, default_value_t = Transport::Spdy)]
    pub transport: Transport,
}

/// Runs the forward until Ctrl-C/SIGTERM (exit 0) or a startup error (coded).
pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let code = runtime.block_on(forward(args));
    // Connection tasks were aborted; do not wait for the watcher's in-flight request.
    runtime.shutdown_background();
    code
}

/// What a release resolves to before any connection is accepted.
struct Resolved {
    service: String,
    selector: std::collections::BTreeMap<String, String>,
    service_port: k8s_openapi::api::core::v1::ServicePort,
}

async fn forward(args: &Args) -> anyhow::Result<u8> {
    let ready_timeout = Duration::from_secs(args.ready_timeout);
    let (client, namespace) = crate::kube_client::client(&args.kube)
        .await
        .map_err(|e| exit::with_code(exit::CLUSTER, e))?;
    let resolved = resolve(&client, &namespace, args).await?;
    let pods: Api<Pod> = Api::namespaced(client, &namespace);

    let list = ListParams::default().labels(&follow::label_selector(&resolved.selector));
    let listed = pods
        .list(&list)
        .await
        .map_err(|e| cluster_error(e, "list pods", &namespace))?;
    let initial = pod::choose(&listed.items, &resolved.selector, &resolved.service_port);
    let (targets_tx, mut targets) = tokio::sync::watch::channel(initial);
    tokio::spawn(follow::follow(
        pods.clone(),
        resolved.selector.clone(),
        resolved.service_port.clone(),
        targets_tx,
        ready_timeout,
    ));
    // From here on SIGINT/SIGTERM stop cleanly with 0 (before, the default action ends a stuck API call).
    let mut signals =
        accept::StopSignals::install().context("failed to install signal handlers")?;
    let ready = tokio::select! {
        ready = tokio::time::timeout(ready_timeout, targets.wait_for(Option::is_some)) => {
            ready.ok().and_then(|r| r.ok().and_then(|t| t.clone()))
        }
        _ = signals.recv() => return Ok(exit::SUCCESS),
    };
    let first = match ready {
        Some(target) => target,
        None => {
            let listed = pods
                .list(&list)
                .await
                .map_err(|e| cluster_error(e, "list pods", &namespace))?;
            let why =
                pod::describe_not_ready(&listed.items, &resolved.selector, &resolved.service_port);
            return Err(exit::with_code(
                exit::FAILURE,
                anyhow::anyhow!(
                    "no Ready pod behind Service {} in namespace {namespace:?} after {}s: {why}",
                    resolved.service,
                    args.ready_timeout
                ),
            ));
        }
    };

    let service_port = u16::try_from(resolved.service_port.port).unwrap_or_default();
    let local = args.port.map_or(service_port, |p| p.local);
    let listener = accept::bind(SocketAddr::new(args.address, local))
        .await
        .with_context(|| {
            format!(
                "failed to listen on {}",
                SocketAddr::new(args.address, local)
            )
        })?;
    let bound = listener
        .local_addr()
        .context("failed to read the bound address")?;
    // A closed stdout must not stop the forward: the line is for the user, the port keeps working.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "Forwarding from {} -> {first}",
        port_spec::url(bound)
    );
    let _ = stdout.flush();
    drop(stdout);

    let fwd = connection::Forwarder {
        client: pods.into_client(),
        namespace,
        targets,
        ready_timeout,
        transport: args.transport,
    };
    accept::serve(listener, fwd, signals.recv()).await;
    Ok(exit::SUCCESS)
}

/// Service and port for the release and component; a Service that is not there is a usage error (exit 2).
async fn resolve(client: &Client, namespace: &str, args: &Args) -> anyhow::Result<Resolved> {
    let fullname = fullname::fullname(
        &args.release,
        args.name_override.as_deref(),
        args.fullname_override.as_deref(),
    );
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    let listed = services
        .list(&ListParams::default())
        .await
        .map_err(|e| cluster_error(e, "list services", namespace))?;
    let usage = |e: target::TargetError| exit::with_code(exit::USAGE, e);
    let service = target::choose_service(
        &listed.items,
        namespace,
        &args.release,
        args.component,
        &fullname,
    )
    .map_err(usage)?;
    let service_port =
        target::service_port(service, args.port.and_then(|p| p.remote)).map_err(usage)?;
    let selector = target::selector(service).map_err(usage)?;
    Ok(Resolved {
        service: service.metadata.name.clone().unwrap_or_default(),
        selector: selector.clone(),
        service_port: service_port.clone(),
    })
}

/// A failed API call: exit 3, with the RBAC hint on 403.
fn cluster_error(err: kube::Error, what: &str, namespace: &str) -> anyhow::Error {
    let hint = match &err {
        kube::Error::Api(status) if status.code == 403 => {
            " (forbidden: see the least-privilege Role in docs/port-forward.md)"
        }
        _ => "",
    };
    let message = format!("failed to {what} in namespace {namespace:?}{hint}");
    let err = match err {
        kube::Error::Api(_) => anyhow::anyhow!(describe_api_error(&err)),
        other => anyhow::Error::new(other),
    };
    exit::with_code(exit::CLUSTER, err.context(message))
}

/// An API error as a user reads it: the server's message and the HTTP code (kube's Display adds a Debug dump).
fn describe_api_error(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => format!("{} (HTTP {})", status.message, status.code),
        other => other.to_string(),
    }
}
