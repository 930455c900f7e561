use super::*;

#[test]
fn names_fit_a_url_as_they_are() {
    for good in ["prod", "eu-west-1", "0", &"a".repeat(MAX_NAME)] {
        assert_eq!(check_name(good), Ok(()), "{good}");
    }
    for bad in [
        "",
        "Prod",
        "-x",
        "a b",
        "a/b",
        "ü",
        "a.b",
        &"a".repeat(MAX_NAME + 1),
    ] {
        assert!(check_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn paths_carry_the_etcd_cluster() {
    assert_eq!(scope_of_path("/e/staging/clusters/pg/x"), Some("staging"));
    assert_eq!(scope_of_path("/e/staging"), Some("staging"));
    assert_eq!(scope_of_path("/e/Bad/keys"), None);
    assert_eq!(scope_of_path("/clusters/e/x"), None);
    assert_eq!(at(Some("edge"), "/keys/pg/"), "/e/edge/keys/pg/");
    assert_eq!(at(None, "/keys/pg/"), "/keys/pg/");
    assert_eq!(
        api_at(Some("edge"), "/api/v1/clusters/pg/x/events"),
        "/api/v1/e/edge/clusters/pg/x/events"
    );
    assert_eq!(api_at(None, "/api/v1/etcd/status"), "/api/v1/etcd/status");
}

#[test]
fn the_home_site_answers_for_no_name() {
    let site = |name: &str, home| SiteOverview {
        name: name.into(),
        home,
        ..SiteOverview::default()
    };
    let fleet = FleetOverview {
        sites: vec![site("main", true), site("edge", false)],
    };
    assert_eq!(fleet.site(None).map(|s| s.name.as_str()), Some("main"));
    assert_eq!(
        fleet.site(Some("edge")).map(|s| s.name.as_str()),
        Some("edge")
    );
    assert!(fleet.site(Some("gone")).is_none());
    assert!(fleet.is_fleet());
}
