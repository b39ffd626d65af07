//! Shell completion: `kubectl-dagu completion SHELL` prints a static script generated from the clap
//! definition (clap_complete), and the hidden `kubectl-dagu __complete WORDS...` answers kubectl's plugin
//! completion protocol (kubectl >= 1.26 runs `kubectl_complete-dagu WORDS...`, a two-line script shipped in
//! `scripts/`, when the user presses TAB after `kubectl dagu`).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  source <(kubectl-dagu completion bash)
  kubectl-dagu completion zsh > \"${fpath[1]}/_kubectl-dagu\"
  kubectl-dagu completion fish > ~/.config/fish/completions/kubectl-dagu.fish

For `kubectl dagu <TAB>` (kubectl >= 1.26), put scripts/kubectl_complete-dagu on PATH next to kubectl-dagu.")]
pub struct Args {
    /// The shell to generate completions for.
    pub shell: Shell,
}

/// Words after `kubectl dagu`, the last one being the (possibly empty) word under the cursor.
#[derive(Debug, Clone, clap::Args)]
pub struct CompleteArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// Writes the completion script for `args.shell` to `out`.
pub fn write(args: &Args, out: &mut dyn std::io::Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "kubectl-dagu", out);
}

/// Cobra's `ShellCompDirectiveNoFileComp`: do not fall back to file names.
const NO_FILE_COMP: u8 = 4;
/// Cobra's `ShellCompDirectiveDefault`: the shell may complete file names.
const DEFAULT: u8 = 0;

/// Answers kubectl's plugin completion request in cobra's `__complete` format: one `candidate\tdescription`
/// per line, then `:DIRECTIVE`.
pub fn complete(words: &[String]) -> String {
    let mut root = Cli::command();
    root.build();
    let (current, done) = words
        .split_last()
        .map_or(("", &[][..]), |(c, d)| (c.as_str(), d));
    let mut cmd = &root;
    for word in done {
        if let Some(sub) = cmd.find_subcommand(word) {
            cmd = sub;
        }
    }
    let mut lines = Vec::new();
    let mut directive = NO_FILE_COMP;
    if current.starts_with('-') {
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let flag = format!("--{long}");
                if flag.starts_with(current) {
                    lines.push(with_help(&flag, arg.get_help()));
                }
            }
        }
    } else {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            if sub.get_name().starts_with(current) {
                lines.push(with_help(sub.get_name(), sub.get_about()));
            }
        }
        if lines.is_empty() {
            if let Some(positional) = cmd.get_positionals().next() {
                let values = positional.get_possible_values();
                lines.extend(
                    values
                        .iter()
                        .filter(|v| v.get_name().starts_with(current))
                        .map(|v| with_help(v.get_name(), v.get_help())),
                );
                if values.is_empty() {
                    directive = DEFAULT;
                }
            }
        }
    }
    lines.push(format!(":{directive}"));
    lines.join("\n") + "\n"
}

fn with_help(candidate: &str, help: Option<&clap::builder::StyledStr>) -> String {
    match help {
        Some(help) => format!(
            "{candidate}\t{}",
            help.to_string().lines().next().unwrap_or_default()
        ),
        None => candidate.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn empty_word_lists_every_visible_subcommand() {
        let out = complete(&words(&[""]));
        for sub in [
            "post-render",
            "port-forward",
            "run-step",
            "doctor",
            "upgrade-check",
            "completion",
            "version",
        ] {
            assert!(
                out.lines().any(|l| l.starts_with(&format!("{sub}\t"))),
                "{sub} missing from {out}"
            );
        }
        assert!(!out.contains("__complete"), "hidden command offered: {out}");
        assert!(out.ends_with(":4\n"), "{out}");
    }

    #[test]
    fn prefix_filters_subcommands() {
        let out = complete(&words(&["po"]));
        let names: Vec<_> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
        assert_eq!(names, ["post-render", "port-forward", ":4"]);
    }

    #[test]
    fn flags_of_the_current_subcommand_are_offered() {
        let out = complete(&words(&["completion", "--verb"]));
        assert_eq!(
            out.lines().next().unwrap().split('\t').next(),
            Some("--verbose"),
            "{out}"
        );
        assert!(!complete(&words(&["completion", "--"])).contains("--values"));
    }

    #[test]
    fn cluster_flags_are_offered_for_cluster_subcommands() {
        let out = complete(&words(&["port-forward", "--na"]));
        assert!(out.lines().any(|l| l.starts_with("--namespace\t")), "{out}");
        assert!(!out.contains("--values"), "{out}");
    }

    #[test]
    fn a_dag_file_argument_falls_back_to_file_names() {
        assert_eq!(complete(&words(&["run-step", ""])), ":0\n");
    }

    #[test]
    fn positional_values_are_offered() {
        let out = complete(&words(&["completion", "b"]));
        assert_eq!(out, "bash\n:4\n");
    }
}
