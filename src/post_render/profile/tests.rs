use serde_json::{json, Value};

use super::*;

fn deployment(chart: &str, args: &[&str], data: Value, image: &str) -> Value {
    json!({"kind": "Deployment", "metadata": {"name": "d", "labels": {"helm.sh/chart": chart}},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image, "args": args}],
            "volumes": [{"name": "data", "emptyDir": data}]}}}})
}

fn ui(chart: &str, sub: &str, image: &str) -> Value {
    let mut d = deployment(chart, &["dagu", sub], json!({}), image);
    d["spec"]["template"]["spec"]["volumes"][0] =
        json!({"name": "data", "persistentVolumeClaim": {"claimName": "x"}});
    d
}

#[test]
fn every_published_chart_version_gets_its_generation() {
    let expected = [
        ("1.0.0", "1.0.0-1.0.8"),
        ("1.0.1", "1.0.0-1.0.8"),
        ("1.0.2", "1.0.0-1.0.8"),
        ("1.0.4", "1.0.0-1.0.8"),
        ("1.0.5", "1.0.0-1.0.8"),
        ("1.0.6", "1.0.0-1.0.8"),
        ("1.0.7", "1.0.0-1.0.8"),
        ("1.0.8", "1.0.0-1.0.8"),
        ("1.0.9", "1.0.9"),
        ("1.0.10", "1.0.10-1.0.11"),
        ("1.0.11", "1.0.10-1.0.11"),
        ("2.0.0", "2.x"),
        ("2.0.1", "2.x"),
        ("2.0.2", "2.x"),
        ("2.0.3", "2.x"),
    ];
    assert_eq!(expected.len(), PUBLISHED.len());
    for ((version, generation), published) in expected.iter().zip(PUBLISHED) {
        assert_eq!(version, published);
        let objects = [
            ui(
                &format!("dagu-{version}"),
                "server",
                "ghcr.io/dagucloud/dagu:latest",
            ),
            deployment(
                &format!("dagu-{version}"),
                &["dagu", "coordinator"],
                json!({}),
                "x:latest",
            ),
        ];
        let choice = choose(objects.iter(), None);
        assert_eq!(choice.profile.generation.name, *generation, "{version}");
        assert_eq!(choice.profile.chart.to_string(), *version);
        assert_eq!(choice.profile.mode, Mode::Distributed, "{version}");
        assert_eq!(choice.profile.dagu, Dagu::Latest);
        assert!(
            choice
                .reason
                .contains(&format!("helm.sh/chart: dagu-{version}")),
            "{}",
            choice.reason
        );
        assert_eq!(choice.warning, None);
    }
}

#[test]
fn standalone_and_distributed_2x() {
    let s = [ui(
        "dagu-2.0.3",
        "start-all",
        "ghcr.io/dagucloud/dagu:2.11.1",
    )];
    let choice = choose(s.iter(), None);
    assert_eq!(choice.profile.mode, Mode::Standalone);
    assert_eq!(choice.profile.dagu, Dagu::Version(Version::new(2, 11, 1)));
    assert!(choice.reason.contains("start-all"), "{}", choice.reason);
    let d = [
        ui("dagu-2.0.0", "server", "x:v2.10.0"),
        deployment(
            "dagu-2.0.0",
            &[
                "dagu",
                "worker",
                "--worker.coordinators",
                "d-coordinator:50055",
            ],
            json!({}),
            "x:v2.10.0",
        ),
    ];
    assert_eq!(choose(d.iter(), None).profile.mode, Mode::Distributed);
}

#[test]
fn an_override_wins_and_a_newer_chart_gets_the_newest_profile_and_a_warning() {
    let objects = [ui("dagu-1.0.6", "server", "x:latest")];
    let v = Version::parse("2.0.1").unwrap();
    let choice = choose(objects.iter(), Some(&v));
    assert_eq!(choice.profile.generation.name, "2.x");
    assert!(
        choice.reason.starts_with("--chart-version 2.0.1;"),
        "{}",
        choice.reason
    );
    let newer = [ui("dagu-3.1.0", "start-all", "x:3.0.0")];
    let choice = choose(newer.iter(), None);
    assert_eq!(choice.profile.chart.to_string(), "2.0.3");
    assert!(choice.warning.unwrap().contains("chart 3.1.0 is newer"));
}

#[test]
fn unlabelled_streams_go_by_shape_else_the_reference_profile() {
    let fork = |d: Value| {
        let mut d = d;
        d["metadata"]["labels"] = json!({});
        d
    };
    let plain = [fork(ui("", "server", "x:latest"))];
    let choice = choose(plain.iter(), None);
    assert_eq!(
        choice.profile,
        Profile {
            dagu: Dagu::Latest,
            ..Profile::reference()
        }
    );
    assert!(choice.reason.contains("reference profile"));
    let standalone = [fork(ui("", "start-all", "x"))];
    assert_eq!(
        choose(standalone.iter(), None).profile.mode,
        Mode::Standalone
    );
    let fqdn = [fork(deployment(
        "",
        &[
            "dagu",
            "worker",
            "--worker.coordinators",
            "d-coordinator.ns.svc.cluster.local:50055",
        ],
        json!({}),
        "x:latest",
    ))];
    assert_eq!(
        choose(fqdn.iter(), None).profile.generation.name,
        "1.0.10-1.0.11"
    );
    let short = [fork(deployment(
        "",
        &[
            "dagu",
            "worker",
            "--worker.coordinators",
            "d-coordinator:50055",
        ],
        json!({}),
        "x:latest",
    ))];
    let p = choose(short.iter(), None).profile;
    assert_eq!((p.generation.name, p.mode), ("2.x", Mode::Distributed));
}

#[test]
fn dagu_versions_from_tags_and_requirements() {
    assert_eq!(
        Dagu::from_tag("v2.9.0"),
        Dagu::Version(Version::new(2, 9, 0))
    );
    assert_eq!(Dagu::from_tag("main"), Dagu::Unknown);
    assert!(Dagu::from_tag("2.9.1").matches(">=2.9.0"));
    assert!(!Dagu::from_tag("1.30.3").matches(">=2.9.0"));
    assert!(!Dagu::Latest.matches(">=2.9.0") && Dagu::Latest.matches("latest"));
    for g in GENERATIONS {
        req(g.charts);
        assert!(
            req(g.charts).matches(&Version::parse(g.newest).unwrap()),
            "{}",
            g.name
        );
    }
}
