//! A deterministic, dependency-free stand-in for the cargo-fuzz target (fuzz/): thousands of mutants of real
//! renderings go through the pipeline, which must never panic, and whatever it accepts must come out as a
//! stream that a second run accepts unchanged.

use std::path::Path;

use kubectl_dagu::post_render::{process, Options};

/// xorshift64*: reproducible without a crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "- ",
    ": ",
    "&a ",
    "*a",
    "!!str ",
    "{",
    "}",
    "[",
    "]",
    "\t",
    "---\n",
    "~",
    "null",
    "[]",
    "{}",
    "5",
    "\"",
    "'",
    "#",
    "\n",
    "  ",
    "<<: *a\n",
    "kind: List\n",
    "enableServiceLinks: true",
    "dagu worker",
    "DAGU_HOME",
    "--worker.labels",
    "daguit.dev/worker-pool: X",
    "value: /tmp",
    "\r\n",
    "\u{feff}",
    "\u{0}",
    "é",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len());
        match rng.below(5) {
            0 => out[at] = rng.next() as u8,
            1 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                out.splice(at..at, f.iter().copied());
            }
            2 => {
                let end = (at + 1 + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            3 => {
                // duplicate a line
                let start = out[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                let end = out[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(out.len(), |p| at + p + 1);
                let line = out[start..end].to_vec();
                out.splice(end..end, line);
            }
            _ => {
                // replace a value after ": "
                if let Some(p) = out[at..].windows(2).position(|w| w == b": ") {
                    let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                    let pos = at + p + 2;
                    out.splice(pos..pos, f.iter().copied());
                }
            }
        }
        if out.is_empty() {
            break;
        }
    }
    out
}

#[test]
fn mutants_never_panic_and_accepted_output_is_stable() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/post_render/good");
    let options = Options {
        values: serde_json::json!({
            "extraEnv": [{"name": "HTTP_PROXY", "value": "http://proxy:8080"}],
            "config": {"envPassthrough": ["HTTP_PROXY"]},
        })
        .into(),
        ..Options::default()
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut total) = (0, 0);
    for case in [
        "hand-minimal",
        "helm4-broken-variants",
        "crlf",
        "anchors-unchanged",
    ] {
        let input = std::fs::read(fixtures.join(case).join("input.yaml")).unwrap();
        for _ in 0..500 {
            let mutant = mutate(&mut rng, &input);
            total += 1;
            let result = std::panic::catch_unwind(|| {
                let Ok(first) = process(&mutant, &options) else {
                    return false;
                };
                if first.has_errors() {
                    return false;
                }
                let output = first.stream();
                let second = process(&output, &options).expect("enforced output parses again");
                assert!(
                    !second.has_errors(),
                    "enforced output violates an invariant"
                );
                assert!(second.changed.is_empty(), "second run changed documents");
                assert!(second.stream() == output, "second run changed bytes");
                true
            });
            match result {
                Ok(ok) => accepted += usize::from(ok),
                Err(_) => panic!(
                    "pipeline panicked or was unstable on a mutant of {case}:\n{}",
                    String::from_utf8_lossy(&mutant)
                ),
            }
        }
    }
    assert!(
        accepted > total / 10,
        "too few mutants accepted ({accepted}/{total}) to exercise enforcement"
    );
}
