//! Terminal behaviour: logs on stderr (tracing), colour only on a TTY and never with `NO_COLOR`.

use std::io::IsTerminal;

/// `-o text|json` of the reporting commands (doctor, upgrade-check): a human report, or one JSON document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

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

/// An error and its causes on one line, `: `-separated like anyhow's `{:#}`, but each message once: kube and
/// hyper wrap errors whose own text already ends with their cause's (`ServiceError: client error (Connect)`,
/// then `client error (Connect)` again), and kube's `ServiceError: ` prefix says nothing to a user.
pub fn chain(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.strip_prefix("ServiceError: ").unwrap_or(&text);
        if text.is_empty() || parts.last().is_some_and(|last| last.ends_with(text)) {
            continue;
        }
        parts.push(text.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn a_chain_says_each_message_once() {
        // kube's shape for a refused connection.
        let refused = Layer(
            "ServiceError: client error (Connect)",
            Some(Box::new(Layer(
                "client error (Connect)",
                Some(Box::new(Layer(
                    "tcp connect error",
                    Some(Box::new(Layer("Connection refused (os error 111)", None))),
                ))),
            ))),
        );
        let err = anyhow::Error::new(refused).context("failed to list services in namespace \"d\"");
        assert_eq!(
            chain(&err),
            "failed to list services in namespace \"d\": client error (Connect): tcp connect error: \
             Connection refused (os error 111)"
        );
        let plain = anyhow::anyhow!("cause").context("outer");
        assert_eq!(chain(&plain), format!("{plain:#}"));
    }

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
