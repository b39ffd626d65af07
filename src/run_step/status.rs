//! The status line: on a TTY only, one spinner line on stderr showing the phase (creating, scheduling,
//! pulling, running) until the step's logs start.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Status {
    bar: Option<ProgressBar>,
    last: std::cell::RefCell<String>,
}

impl Status {
    pub fn new() -> Self {
        let bar = crate::output::progress_enabled().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            last: Default::default(),
        }
    }

    pub fn set(&self, message: &str) {
        if *self.last.borrow() == message {
            return;
        }
        *self.last.borrow_mut() = message.to_string();
        match &self.bar {
            Some(bar) => bar.set_message(message.to_string()),
            None => tracing::debug!("status: {message}"),
        }
    }

    /// Removes the line (logs are about to be printed, or we are done).
    pub fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Prints a line on stderr without tearing the status line.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }
}

impl Default for Status {
    fn default() -> Self {
        Self::new()
    }
}
