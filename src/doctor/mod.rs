//! `kubectl dagu doctor`: find a live release's objects ([`fetch`]), see them as a [`release::Release`], run
//! the ordered check registry ([`checks`]) and report by category ([`report`]). `--wait` re-fetches and
//! re-runs while a retryable check fails, until its deadline.

pub mod checks;
mod fetch;
pub use fetch::cluster_error;
pub mod netpol;
pub mod release;
pub mod report;

use std::io::{IsTerminal, Write as _};
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::GlobalArgs;
use crate::exit;
use crate::kube_client::KubeArgs;
use crate::output::{self, Format};

const AFTER_HELP: &str = "\
Examples:
  kubectl dagu doctor                         release dagu in the current namespace
  kubectl dagu doctor prod -n dagu            release prod in namespace dagu
  kubectl dagu doctor --wait 2m               after helm upgrade: wait for pods to come up
  kubectl dagu doctor -o json | jq '.checks[] | select(.status != \"pass\")'
  kubectl dagu doctor --list-checks

Every check has a stable id, shown as [id] and in -o json; docs/doctor.md explains each
and how to fix it.

Exit codes: 0 every check passed (warnings allowed); 1 a check failed (a warning too with
--strict); 2 bad flags; 3 the cluster cannot be reached or refused a request.
RBAC (read-only): list deployments, pods, configmaps, persistentvolumeclaims, services,
endpoints, networkpolicies; get pods/log (docs/rbac/doctor.yaml).";

/// Flags of `kubectl dagu doctor`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The Helm release name Dagu was installed as.
    #[arg(default_value = "dagu")]
    pub release: String,
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Output: text grouped by category, or json with the same check ids.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Re-run checks that can still become true (pods starting, volumes binding) until DURATION has passed
    /// (e.g. 90s, 5m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// Warnings fail too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Print the checks (id, category, description) in the order they run, and exit.
    #[arg(long)]
    pub list_checks: bool,
}

/// `90`, `90s`, `5m`, `1h`, `1m30s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {s:?}: use e.g. 90s, 5m or 1m30s");
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let (mut total, mut number) = (0u64, String::new());
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(bad()),
        };
        total += number.parse::<u64>().map_err(|_| bad())? * unit;
        number.clear();
    }
    if !number.is_empty() || s.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// Runs the checks once, or until they pass or `--wait` expires; prints the report; maps it to an exit code.
pub fn run(args: &Args, _global: &GlobalArgs) -> anyhow::Result<u8> {
    if args.list_checks {
        print!("{}", report::list());
        return Ok(exit::SUCCESS);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(doctor(args))
}

async fn doctor(args: &Args) -> anyhow::Result<u8> {
    let (client, namespace) = crate::kube_client::client(&args.kube)
        .await
        .map_err(|e| exit::with_code(exit::CLUSTER, e))?;
    let deadline = args.wait.map(|w| tokio::time::Instant::now() + w);
    let progress = args.wait.is_some() && std::io::stderr().is_terminal();
    let mut round = 0u32;
    let (release, results) = loop {
        round += 1;
        let objects = fetch::objects(&client, &namespace, &args.release).await?;
        let release = release::Release::new(&args.release, &namespace, objects);
        let results = report::evaluate(&release);
        let retry = report::worth_retrying(&results)
            && deadline.is_some_and(|d| tokio::time::Instant::now() + RETRY_INTERVAL < d);
        if !retry {
            break (release, results);
        }
        if progress {
            let waiting: Vec<&str> = results
                .iter()
                .filter(|r| r.check.retry && r.status() == "fail")
                .map(|r| r.check.id)
                .collect();
            eprint!(
                "\r\x1b[2Kwaiting (round {round}) for: {}",
                waiting.join(", ")
            );
        }
        tokio::time::sleep(RETRY_INTERVAL).await;
    };
    if progress && round > 1 {
        eprint!("\r\x1b[2K");
    }
    let mut stdout = std::io::stdout().lock();
    match args.output {
        Format::Text => {
            stdout.write_all(report::text(&release, &results, stdout_color()).as_bytes())?
        }
        Format::Json => writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&report::json(&release, &results, args.strict))?
        )?,
    }
    stdout.flush()?;
    Ok(if report::failed(&results, args.strict) {
        exit::FAILURE
    } else {
        exit::SUCCESS
    })
}

/// Pause between `--wait` rounds: pods and endpoints change on the scale of seconds.
const RETRY_INTERVAL: Duration = Duration::from_secs(2);

fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && output::color_enabled()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("5m3").is_err());
    }
}
