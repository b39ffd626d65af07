//! Exit codes: one documented place, so scripts can rely on them (see `docs/exit-codes.md`).
//!
//! `run-step` passes the step container's own exit code through unchanged when it has one; the codes below
//! are what `kubectl-dagu` itself decides.

/// Everything held: the stream was written, the step succeeded, the forward was stopped by Ctrl-C.
pub const SUCCESS: u8 = 0;
/// An invariant was violated (post-render), `--check` found something to change, a Job failed without a
/// container exit code (DeadlineExceeded, BackoffLimitExceeded, pod failure policy, unschedulable), a doctor
/// check failed (a warning too with `--strict`), or upgrade-check found the upgrade blocked.
pub const FAILURE: u8 = 1;
/// Usage error, unreadable input (YAML that does not parse, a missing file) or an invalid DAG/step config.
pub const USAGE: u8 = 2;
/// The cluster could not be reached or refused a request (kubeconfig, context, API error).
pub const CLUSTER: u8 = 3;
/// `--timeout` expired; the Job and its pods were deleted.
pub const TIMEOUT: u8 = 124;
/// Interrupted by SIGINT (Ctrl-C); the Job and its pods were deleted.
pub const SIGINT: u8 = 130;
/// Terminated by SIGTERM; the Job and its pods were deleted.
pub const SIGTERM: u8 = 143;

/// An error that carries the exit code it should end the process with. It is transparent: it displays as its
/// `source` and continues the chain with the source's own causes, so `{:#}` prints each message once.
#[derive(Debug)]
pub struct Coded {
    pub code: u8,
    pub source: anyhow::Error,
}

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.source, f)
    }
}

impl std::error::Error for Coded {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

/// Wraps `source` so that [`code_of`] returns `code` for it.
pub fn with_code(code: u8, source: impl Into<anyhow::Error>) -> anyhow::Error {
    Coded {
        code,
        source: source.into(),
    }
    .into()
}

/// The exit code an error should end the process with: its [`Coded`] code, else [`FAILURE`].
pub fn code_of(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|e| e.downcast_ref::<Coded>().map(|c| c.code))
        .unwrap_or(FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_errors_keep_their_code_through_context() {
        let err = with_code(USAGE, anyhow::anyhow!("bad flag")).context("failed to parse");
        assert_eq!(code_of(&err), USAGE);
        assert_eq!(code_of(&anyhow::anyhow!("plain")), FAILURE);
        // Each message once: "failed to parse: bad flag: cause".
        let inner = anyhow::anyhow!("cause").context("bad flag");
        let err = with_code(USAGE, inner).context("failed to parse");
        assert_eq!(format!("{err:#}"), "failed to parse: bad flag: cause");
    }
}
