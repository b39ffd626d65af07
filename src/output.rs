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
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("kubectl_dagu={level},warn"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color_enabled())
        .with_target(false)
        .without_time()
        .try_init();
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
