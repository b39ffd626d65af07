//! Charts 2.x: worker pool names match `^[a-z]([a-z0-9-]*[a-z0-9])?$` and are at most 54 characters (the 2.x
//! worker template fails otherwise: the name ends up in `<fullname>-worker-<pool>` and in labels, which may not
//! end in a hyphen), and each pool has one Deployment. Error.

use super::worker_pool_name::check_with;
use super::{Finding, Rule};
use crate::post_render::context::Context;
use crate::post_render::manifest::Doc;

pub const RULE: Rule = Rule {
    id: "worker-pool-dns-name",
    description: "worker pool names match ^[a-z]([a-z0-9-]*[a-z0-9])?$, at most 54 characters, one Deployment each",
    check,
};

/// The 2.x rule for a pool name.
pub fn valid(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.len() <= 54
        && bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes
            .last()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

fn check(ctx: &Context, docs: &[Doc]) -> Vec<Finding> {
    check_with(
        RULE.id,
        ctx,
        docs,
        valid,
        "is not lowercase letters, digits and inner hyphens of at most 54 characters (^[a-z]([a-z0-9-]*[a-z0-9])?$)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2x_pattern_and_length() {
        for ok in ["general", "a", "gpu-2", &"a".repeat(54)] {
            assert!(valid(ok), "{ok}");
        }
        for bad in ["", "gpu-", "2gpu", "Gpu", "my_pool", &"a".repeat(55)] {
            assert!(!valid(bad), "{bad}");
        }
    }
}
