//! `resources.requests` / `resources.limits` values use Kubernetes quantity syntax (`100m`, `128Mi`, `1Gi`,
//! `1e3`); invalid or negative quantities are rejected (executor document, "Resources"). Error.

use serde_json::Value;

use super::{Findings, Path};

pub const ID: &str = "resources";

/// Checks Kubernetes quantity syntax: `[+]digits[.digits](suffix)`, suffix one of the binary SI (`Ki`..`Ei`),
/// decimal SI (`n u m k M G T P E`) or a decimal exponent (`e3`, `E-2`). A sign `-` is reported as negative.
pub fn check_quantity(s: &str) -> Result<(), String> {
    let s = s.trim();
    let body = match s.strip_prefix('-') {
        Some(_) => return Err(format!("must not be negative, found {s:?}")),
        None => s.strip_prefix('+').unwrap_or(s),
    };
    let num_len = body
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_len);
    let digits = num.chars().filter(char::is_ascii_digit).count();
    let valid_number = digits > 0 && num.matches('.').count() <= 1;
    let valid_suffix = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || is_exponent(suffix);
    if valid_number && valid_suffix {
        Ok(())
    } else {
        Err(format!(
            "is not a Kubernetes quantity (like 100m, 128Mi or 1Gi), found {s:?}"
        ))
    }
}

fn is_exponent(suffix: &str) -> bool {
    let Some(rest) = suffix.strip_prefix(['e', 'E']) else {
        return false;
    };
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())
}

pub fn check(config: &Value, out: &mut Findings) {
    let base = Path::root().key("resources");
    for group in ["requests", "limits"] {
        let Some(map) = config
            .get("resources")
            .and_then(|r| r.get(group))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (name, q) in map {
            let text = match q {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if let Err(e) = check_quantity(&text) {
                out.at(ID, &base.key(group).key(name), e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::*;
    use serde_json::json;

    #[test]
    fn quantity_syntax() {
        for ok in [
            "100m", "128Mi", "1Gi", "1", "0.5", "+2", "1e3", "1E-2", "500u", "2k", "1.5Gi", ".5",
        ] {
            assert_eq!(check_quantity(ok), Ok(()), "{ok}");
        }
        for bad in ["", "Mi", "1.2.3", "12x", "1 Gi", "1KB", "e3", "1e"] {
            assert!(check_quantity(bad).is_err(), "{bad}");
        }
        assert!(check_quantity("-1").unwrap_err().contains("negative"));
    }

    #[test]
    fn valid_resources() {
        let v = json!({"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": 1}}});
        assert!(run(check, v).is_empty());
    }

    #[test]
    fn invalid_and_negative_resources() {
        let v = json!({"resources": {"requests": {"cpu": "-100m"}, "limits": {"memory": "lots", "cpu": -1}}});
        assert_eq!(
            run(check, v),
            [
                "resources.requests.cpu: must not be negative, found \"-100m\"",
                "resources.limits.memory: is not a Kubernetes quantity (like 100m, 128Mi or 1Gi), found \"lots\"",
                "resources.limits.cpu: must not be negative, found \"-1\"",
            ]
        );
    }
}
