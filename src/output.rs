//! Terminal behaviour: logs on stderr (tracing), colour only on a TTY and never with `NO_COLOR`.

use std::io::IsTerminal;

/// Whether stderr may carry colour: a TTY, and `NO_COLOR` unset or empty (https://no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Whether a spinner or status line may be drawn on stderr.
pub fn progress_enabled() -> bool {
    std::io::stderr().is_terminal()
}

/// Installs the stderr log subscriber: warnings by default, `-v` info, `-vv` debug, `-vvv` trace.
/// `RUST_LOG` overrides the level when set.
pub fn init_logging(verbose: u8) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(log_directives(verbose)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color_enabled())
        .with_target(false)
        .without_time()
        .try_init();
}

/// The log filter for `-v` count `verbose`. Other crates (kube, hyper) stay silent until `-vv`: their errors
/// reach the user through ours, and a second copy of the same failure is noise.
fn log_directives(verbose: u8) -> &'static str {
    match verbose {
        0 => "off,kubectl_dagu=warn",
        1 => "off,kubectl_dagu=info",
        2 => "warn,kubectl_dagu=debug,kube=debug",
        _ => "trace",
    }
}

/// Prints `error: MESSAGE` on stderr, the prefix red on a colour terminal.
pub fn error(message: &str) {
    let prefix = if color_enabled() {
        "\x1b[31merror\x1b[0m"
    } else {
        "error"
    };
    eprintln!("{prefix}: {message}");
}

/// Prints `warning: MESSAGE` on stderr, the prefix yellow on a colour terminal.
pub fn warning(message: &str) {
    let prefix = if color_enabled() {
        "\x1b[33mwarning\x1b[0m"
    } else {
        "warning"
    };
    eprintln!("{prefix}: {message}");
}

/// A closed stdout (`kubectl-dagu ... | head`) is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_crates_are_silent_until_vv() {
        assert!(log_directives(0).starts_with("off,"));
        assert!(log_directives(1).starts_with("off,"));
        assert!(log_directives(2).contains("kube=debug"));
        for v in 0..4 {
            tracing_subscriber::EnvFilter::try_new(log_directives(v)).expect("valid directives");
        }
    }
}
