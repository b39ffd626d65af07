//! The floor under `scripts/bench-post-render`: read stdin and parse every document with serde-saphyr into
//! `serde_json::Value`, nothing else (no rules, no output). `cargo run --release --example bare_parse < stream`.

use std::io::Read;

fn main() {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("UTF-8 on stdin");
    // The default budget stops at 1,024 documents; lift the counts (the input is our own rendering).
    let budget = serde_saphyr::budget! {
        max_documents: usize::MAX,
        max_nodes: usize::MAX,
        max_events: usize::MAX,
        max_reader_input_bytes: None,
    };
    let options = serde_saphyr::options! { budget: budget };
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple_with_options(&text, options).expect("a YAML stream");
    println!("{}", docs.len());
}
