//! `kubectl-dagu post-render` from flags to exit code: values and stdin in, the pipeline, then the stream, the
//! diff, the JSON report or the --check lines out. The report ends with the profile used and why.

use std::io::{IsTerminal, Read, Write};
use std::os::fd::AsFd;

use anyhow::Context as _;
use serde_json::{Map, Value};

use super::{
    context, process, report, rules, sink, values, Args, Error, Options, OutputFormat,
    MAX_STREAM_BYTES,
};
use crate::exit;

pub(super) fn execute(args: &Args, log: &mut sink::Log) -> anyhow::Result<u8> {
    if args.list_rules {
        print!("{}", rules::list());
        return Ok(exit::SUCCESS);
    }
    let options = Options {
        values: load_values(args)
            .map_err(|e| exit::with_code(exit::USAGE, e))?
            .into(),
        overrides: context::Overrides {
            release: args.release.clone(),
            namespace: args.namespace.clone(),
            fullname: args.fullname.clone(),
            skip_validation: args.skip_validation,
            strict: args.strict,
            stable_selectors: args.stable_selectors,
            chart_version: args.chart_version.clone(),
        },
    };
    let input = read_stdin().map_err(|e| exit::with_code(exit::USAGE, e))?;
    // Never freed: the process exits right after, and freeing thousands of parsed documents one allocation at
    // a time costs more (about 5% of a 2,000-document run) than exiting does.
    let outcome = match process(&input, &options) {
        Ok(outcome) => std::mem::ManuallyDrop::new(outcome),
        Err(Error::Input(e)) => return Err(exit::with_code(exit::USAGE, e)),
        Err(e @ Error::Patch(_)) => return Err(exit::with_code(exit::FAILURE, e)),
    };
    let ctx = &outcome.context;
    let profile = format!(
        "profile: {} ({})",
        ctx.profile.describe(),
        ctx.profile_reason
    );
    // An unlabelled stream with nothing pointing elsewhere keeps today's report (the JSON report always says).
    let profile_line = |log: &mut sink::Log| {
        if !ctx.profile_implicit {
            log.line(&profile);
        }
    };
    if let Some(w) = &ctx.profile_warning {
        log.warning(w);
    }
    for warning in outcome.warnings() {
        log.warning(&report::line(warning, &outcome.docs));
    }
    let mut stdout = std::io::stdout().lock();
    if args.check {
        let mut any = false;
        for f in outcome
            .findings
            .iter()
            .filter(|f| report::counts_for_check(f))
        {
            any = true;
            log.line(&report::line(f, &outcome.docs));
        }
        if !any {
            log.line("ok: every invariant holds, nothing to change");
        }
        profile_line(log);
        return Ok(if any { exit::FAILURE } else { exit::SUCCESS });
    }
    if args.output == OutputFormat::Json {
        let json = report::json(&outcome);
        writeln!(stdout, "{}", serde_json::to_string_pretty(&json)?)?;
        let any = outcome.findings.iter().any(report::counts_for_check);
        return Ok(if any { exit::FAILURE } else { exit::SUCCESS });
    }
    if outcome.has_errors() {
        let lines: Vec<String> = outcome
            .errors()
            .map(|f| report::line(f, &outcome.docs))
            .collect();
        let n = lines.len();
        return Err(exit::with_code(
            exit::FAILURE,
            anyhow::anyhow!(
                "{n} invariant{} violated, nothing written:\n  {}{}",
                if n == 1 { "" } else { "s" },
                lines.join("\n  "),
                if ctx.profile_implicit {
                    String::new()
                } else {
                    format!("\n  {profile}")
                }
            ),
        ));
    }
    for fix in outcome.fixes() {
        let line = report::line(fix, &outcome.docs);
        if fix.notable {
            log.warning(&line);
        } else {
            tracing::info!("{line}");
            log.lines.push(format!("fixed: {line}"));
        }
    }
    profile_line(log);
    if args.diff {
        stdout.write_all(report::diff(&outcome).as_bytes())?;
    } else {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut stdout);
        outcome.write_stream(&mut buffered)?;
        buffered.flush()?;
    }
    stdout.flush()?;
    Ok(exit::SUCCESS)
}

/// `-f` files merged in order, then `--set` assignments, like helm.
fn load_values(args: &Args) -> anyhow::Result<Value> {
    let mut merged = Value::Object(Map::new());
    for path in &args.values {
        let text = std::fs::read(path).with_context(|| {
            format!(
                "cannot read values file {} (the same -f files given to helm)",
                path.display()
            )
        })?;
        values::merge(
            &mut merged,
            values::parse_file(&path.display().to_string(), &text)?,
        );
    }
    for set in &args.set {
        values::apply_set(&mut merged, set)?;
    }
    Ok(merged)
}

fn read_stdin() -> anyhow::Result<Vec<u8>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        anyhow::bail!(
            "kubectl-dagu post-render reads rendered manifests on stdin; pipe them in \
             (helm template dagu dagu/dagu | kubectl-dagu) or use helm --post-renderer kubectl-dagu"
        );
    }
    // A file on stdin says its size: read it into one allocation of that size (doubling from empty holds up
    // to twice the stream).
    let size = stdin
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| std::fs::File::from(fd).metadata().ok())
        .filter(|m| m.is_file())
        .map_or(0, |m| m.len().min(MAX_STREAM_BYTES));
    let mut input = Vec::with_capacity(size as usize);
    stdin
        .lock()
        .take(MAX_STREAM_BYTES + 1)
        .read_to_end(&mut input)
        .context("cannot read stdin")?;
    if input.len() as u64 > MAX_STREAM_BYTES {
        anyhow::bail!("the input is larger than {MAX_STREAM_BYTES} bytes; a Helm release cannot be that large");
    }
    Ok(input)
}
