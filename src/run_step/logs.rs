//! Streams the step container's merged log (stdout and stderr are one stream in Kubernetes) to our stdout,
//! following it from the first line, and resumes a broken stream without losing or repeating a line.
//!
//! Lines are requested with kubelet timestamps; a resumed stream starts at the last second seen (`sinceTime`
//! has one-second precision) and [`Dedup`] drops what was already printed, by timestamp and by count of lines
//! sharing the last timestamp. Timestamps are stripped before printing.

use std::time::Duration;

use anyhow::{Context as _, Result};
use futures::AsyncBufReadExt as _;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::{RoundMode, Timestamp, TimestampRound, Unit};
use kube::api::{Api, LogParams};
use std::io::Write as _;
use tokio::sync::watch;

use super::job::CONTAINER;

/// After a clean end of stream, how long to wait for the pod status to say the container terminated before
/// deciding the stream ended for another reason and reconnecting. The kubelet ends a follow stream when the
/// container exits but reports the status a moment later.
const TERMINATION_REPORT_WAIT: Duration = Duration::from_secs(3);
/// How long reconnecting may go on without printing a line before giving up (an API server restart takes
/// seconds; a pod whose node is gone never comes back).
const RESUME_BUDGET: Duration = Duration::from_secs(90);

/// Remembers what was printed so a resumed stream prints each line once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dedup {
    last: Option<Timestamp>,
    at_last: usize,
    /// Lines at `last` still to skip in the current (resumed) stream.
    skip: usize,
}

impl Dedup {
    /// Call when a new stream starts; returns the `sinceTime` to request (the last second seen, floored).
    pub fn resume(&mut self) -> Option<Timestamp> {
        self.skip = self.at_last;
        let floor = TimestampRound::new()
            .smallest(Unit::Second)
            .mode(RoundMode::Trunc);
        self.last.map(|t| t.round(floor).unwrap_or(t))
    }

    /// Whether a line with timestamp `ts` is new (and records it).
    pub fn admit(&mut self, ts: Timestamp) -> bool {
        match self.last {
            Some(last) if ts < last => false,
            Some(last) if ts == last => {
                if self.skip > 0 {
                    self.skip -= 1;
                    false
                } else {
                    self.at_last += 1;
                    true
                }
            }
            _ => {
                self.last = Some(ts);
                self.at_last = 1;
                self.skip = 0;
                true
            }
        }
    }
}

/// Splits `2026-03-31T10:00:00.123456789Z rest of line` into its timestamp and the line.
pub fn split_timestamp(line: &[u8]) -> Option<(Timestamp, &[u8])> {
    let space = line.iter().position(|b| *b == b' ')?;
    let ts = std::str::from_utf8(&line[..space]).ok()?.parse().ok()?;
    Some((ts, &line[space + 1..]))
}

/// Follows the logs of `pod` until the container has terminated and everything was printed.
/// `terminated` turns true when the pod watch sees the container terminated.
pub async fn follow(
    api: Api<Pod>,
    pod: String,
    mut terminated: watch::Receiver<bool>,
) -> Result<()> {
    let mut dedup = Dedup::default();
    let mut stdout = std::io::stdout();
    let mut idle = 0u32;
    let mut progress = std::time::Instant::now();
    loop {
        let params = LogParams {
            container: Some(CONTAINER.into()),
            follow: true,
            timestamps: true,
            since_time: dedup.resume(),
            ..LogParams::default()
        };
        let (printed, ended_cleanly) = match api.log_stream(&pod, &params).await {
            Ok(reader) => copy(reader, &mut dedup, &mut stdout).await?,
            Err(err) => {
                tracing::debug!(%err, pod, "log stream request failed");
                if *terminated.borrow() {
                    // The container ended (or the pod is gone) and its log can no longer be read.
                    return Ok(());
                }
                (0, false)
            }
        };
        stdout.flush()?;
        if printed > 0 {
            idle = 0;
            progress = std::time::Instant::now();
        } else {
            idle += 1;
        }
        if progress.elapsed() > RESUME_BUDGET {
            anyhow::bail!(
                "the log stream of pod {pod} keeps failing; gave up after {}s",
                RESUME_BUDGET.as_secs()
            );
        }
        if ended_cleanly {
            let done =
                tokio::time::timeout(TERMINATION_REPORT_WAIT, terminated.wait_for(|t| *t)).await;
            if matches!(done, Ok(Ok(_))) {
                return Ok(());
            }
        }
        tracing::debug!(pod, "log stream ended before the container did; resuming");
        tokio::time::sleep(Duration::from_millis(200 * u64::from(idle.min(5)))).await;
    }
}

/// Copies one stream; returns (lines printed, whether it ended without an error).
async fn copy(
    mut reader: impl futures::AsyncBufRead + Unpin,
    dedup: &mut Dedup,
    out: &mut std::io::Stdout,
) -> Result<(usize, bool)> {
    let mut printed = 0;
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) => return Ok((printed, true)),
            Ok(_) => {
                let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
                let (ts, text) = match split_timestamp(line) {
                    Some(parts) => parts,
                    None => {
                        write_line(out, line)?;
                        continue;
                    }
                };
                if dedup.admit(ts) {
                    write_line(out, text)?;
                    printed += 1;
                }
            }
            Err(err) => {
                tracing::debug!(%err, "log stream broke");
                return Ok((printed, false));
            }
        }
    }
}

/// One line to stdout (blocking: lines are small and stdout is ours alone).
fn write_line(out: &mut std::io::Stdout, line: &[u8]) -> Result<()> {
    let mut lock = out.lock();
    lock.write_all(line)
        .and_then(|()| lock.write_all(b"\n"))
        .context("failed to write the step's log")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn timestamps_are_split_off() {
        let (t, rest) = split_timestamp(b"2026-03-31T10:00:00.5Z hello world").unwrap();
        assert_eq!(t, ts("2026-03-31T10:00:00.5Z"));
        assert_eq!(rest, b"hello world");
        assert!(split_timestamp(b"no timestamp here").is_none());
    }

    #[test]
    fn resumed_streams_print_each_line_once() {
        let mut d = Dedup::default();
        assert_eq!(d.resume(), None);
        let first = ["10:00:00.1", "10:00:01.2", "10:00:01.2"];
        for t in first {
            assert!(d.admit(ts(&format!("2026-03-31T{t}Z"))));
        }
        // The stream breaks; the resumed one starts at the last whole second.
        assert_eq!(d.resume(), Some(ts("2026-03-31T10:00:01Z")));
        let again = [
            "10:00:01.2",
            "10:00:01.2",
            "10:00:01.2",
            "10:00:01.9",
            "10:00:02",
        ];
        let admitted: Vec<bool> = again
            .iter()
            .map(|t| d.admit(ts(&format!("2026-03-31T{t}Z"))))
            .collect();
        // Two lines at .2 were printed already; the third is new (same nanosecond, distinct line).
        assert_eq!(admitted, [false, false, true, true, true]);
    }

    #[test]
    fn older_lines_are_dropped_after_resume() {
        let mut d = Dedup::default();
        assert!(d.admit(ts("2026-03-31T10:00:05.5Z")));
        d.resume();
        assert!(!d.admit(ts("2026-03-31T10:00:05.1Z")));
        assert!(!d.admit(ts("2026-03-31T10:00:05.5Z")));
        assert!(d.admit(ts("2026-03-31T10:00:05.6Z")));
    }
}
