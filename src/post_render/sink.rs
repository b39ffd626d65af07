//! Where the human report goes besides stderr. Helm 4 discards a post-renderer's stderr (users see only
//! `plugin "dagu" exited with error`), so when running as a Helm plugin (`HELM_PLUGIN_NAME` set) the report is
//! also written to the controlling terminal, if there is one; `--report FILE` (or `KUBECTL_DAGU_REPORT`)
//! writes it to a file in every mode.

use std::io::Write;
use std::path::Path;

/// The report lines of one run, as printed on stderr (without colour).
#[derive(Debug, Default)]
pub struct Log {
    pub lines: Vec<String>,
}

impl Log {
    pub fn warning(&mut self, message: &str) {
        crate::output::warning(message);
        self.lines.push(format!("warning: {message}"));
    }
    pub fn line(&mut self, message: &str) {
        eprintln!("{message}");
        self.lines.push(message.to_string());
    }
    /// Records an error that lib.rs prints on stderr itself.
    pub fn error(&mut self, err: &anyhow::Error) {
        self.lines.push(format!("error: {}", message(err)));
    }
}

/// `a: b: c` from an error chain, each message once (a wrapper may already display its source).
pub fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for part in err.chain().map(|e| e.to_string()) {
        if out.contains(&part) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&part);
    }
    out
}

/// Writes the report to `file` (when given) and to `/dev/tty` (when running as a Helm plugin and there is a
/// terminal). The terminal is best effort; a report file that cannot be written is an error.
pub fn deliver(lines: &[String], file: Option<&Path>, helm_plugin: bool) -> anyhow::Result<()> {
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    if helm_plugin && !text.is_empty() {
        if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
            let _ = write!(tty, "kubectl-dagu (helm plugin):\n{text}");
        }
    }
    if let Some(path) = file {
        std::fs::write(path, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot write the report to {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chained_messages_appear_once() {
        let inner = anyhow::anyhow!("the input is empty");
        let err = crate::exit::with_code(2, inner).context("post-render");
        assert_eq!(message(&err), "post-render: the input is empty");
    }

    #[test]
    fn the_report_file_gets_every_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.txt");
        deliver(&["a".into(), "b".into()], Some(&path), false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\n");
        assert!(deliver(&[], Some(&dir.path().join("no/such/dir")), false).is_err());
    }
}
