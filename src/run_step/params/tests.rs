use super::*;
use serde_json::json;

fn params() -> Params {
    Params {
        cli: [("DATE".into(), "2026-01-01".into())].into(),
        dag_params: [("DATE".into(), "x".into()), ("REGION".into(), "eu".into())].into(),
        dag_env: [("HOME_DIR".into(), "/h/${REGION}".into())].into(),
        dag_consts: [("BUCKET".into(), "s3://b".into())].into(),
        process_env: Some([("USER".into(), "me".into()), ("DATE".into(), "y".into())].into()),
    }
}

#[test]
fn precedence_is_cli_then_params_then_env_then_process() {
    let p = params();
    assert_eq!(
        p.expand("--date ${DATE} ${REGION} ${USER}").unwrap(),
        "--date 2026-01-01 eu me"
    );
    assert_eq!(p.expand("${HOME_DIR}/x").unwrap(), "/h/eu/x");
}

#[test]
fn unresolved_names_are_errors_and_other_dollars_stay() {
    let p = params();
    assert_eq!(p.expand("${NOPE}").unwrap_err().reference, "NOPE");
    assert_eq!(p.expand("$HOME ${1x} ${").unwrap(), "$HOME ${1x} ${");
}

#[test]
fn scoped_references_resolve_from_their_scope() {
    let p = params();
    assert_eq!(
        p.expand("${params.DATE} ${params.REGION} ${env.USER} ${ env.HOME_DIR } ${consts.BUCKET}")
            .unwrap(),
        "2026-01-01 eu me /h/eu s3://b"
    );
    let err = p.expand("${params.USER}").unwrap_err();
    assert_eq!(
        err.reference, "params.USER",
        "params do not read the environment"
    );
    assert_eq!(err.hint, "pass -p USER=VALUE or define it in params");
    assert_eq!(
        p.expand("${consts.NOPE}").unwrap_err().hint,
        "define NOPE in consts"
    );
    assert_eq!(
        p.expand("${dag.name} ${params}").unwrap(),
        "${dag.name} ${params}"
    );
}

#[test]
fn runtime_references_are_errors_unless_given_by_their_whole_name() {
    let mut p = params();
    let err = p.expand("tag=${steps.build.outputs.tag}").unwrap_err();
    assert_eq!(err.reference, "steps.build.outputs.tag");
    assert!(
        err.hint.contains("pass -p steps.build.outputs.tag=VALUE"),
        "{}",
        err.hint
    );
    assert!(p.expand("${context.run.id}").is_err());
    let (k, v) = parse_cli("steps.build.outputs.tag=v1").unwrap();
    p.cli.insert(k, v);
    assert_eq!(
        p.expand("tag=${steps.build.outputs.tag}").unwrap(),
        "tag=v1"
    );
    assert!(parse_cli("steps..x=1").is_err() && parse_cli(".x=1").is_err());
}

#[test]
fn dagu_param_shapes() {
    let want: BTreeMap<String, String> =
        [("A".into(), "1".into()), ("B".into(), "two words".into())].into();
    assert_eq!(parse_pairs(&json!("A=1 B=\"two words\" positional")), want);
    assert_eq!(parse_pairs(&json!(["A=1", "B=\"two words\""])), want);
    assert_eq!(parse_pairs(&json!([{"A": 1}, {"B": "two words"}])), want);
    assert_eq!(parse_pairs(&json!({"A": 1, "B": "two words"})), want);
    assert_eq!(
        parse_pairs(&json!([{"name": "A", "default": 1}, {"name": "B", "default": "two words"}])),
        want
    );
}

#[test]
fn cli_params_need_a_name() {
    assert_eq!(parse_cli("A=b=c").unwrap(), ("A".into(), "b=c".into()));
    assert!(parse_cli("=x").is_err());
    assert!(parse_cli("novalue").is_err());
}
