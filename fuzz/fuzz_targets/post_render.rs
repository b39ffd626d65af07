//! Fuzzes the whole post-render pipeline on arbitrary bytes. Properties checked beyond "does not panic":
//! - a stream that enforcement accepts renders to a stream that parses again, and
//! - running on that output changes nothing (idempotence) and finds no error.
#![no_main]

use kubectl_dagu::post_render::{process, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = Options {
        values: serde_json::json!({
            "extraEnv": [{"name": "HTTP_PROXY", "value": "http://proxy:8080"}],
            "config": {"envPassthrough": ["HTTP_PROXY"]},
            "workerPools": {"gpu": {"labels": {"gpu": "true"}}}
        })
        .into(),
        ..Options::default()
    };
    let Ok(first) = process(data, &options) else {
        return;
    };
    if first.has_errors() {
        return;
    }
    let output = first.stream();
    let second = process(&output, &options).expect("enforced output must parse again");
    assert!(!second.has_errors(), "enforced output violates an invariant");
    assert!(second.changed.is_empty(), "a second run changed documents");
    assert_eq!(second.stream(), output, "a second run changed bytes");
});
