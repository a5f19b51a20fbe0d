use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use std::path::{Path, PathBuf};

use super::site::inside;
use super::*;

#[test]
fn seeded_agents_have_stable_uuid_shaped_subs() {
    let sub = sub_of("agent@bank.test");
    assert_eq!(sub, sub_of("agent@bank.test"));
    assert_ne!(sub, sub_of("viewer@bank.test"));
    assert_eq!(sub.len(), 36);
    assert_eq!(sub.matches('-').count(), 4);
}

#[tokio::test]
async fn the_site_never_serves_outside_its_build_and_sends_the_security_headers() {
    // GIVEN a build with an index and an asset
    let root = std::env::temp_dir().join(format!("tmp-admin-site-{}", std::process::id()));
    std::fs::create_dir_all(root.join("assets")).unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><title>panel</title>",
    )
    .unwrap();
    std::fs::write(root.join("assets/app.js"), "console.log(1)").unwrap();
    let app = site_router(root.clone());
    let get = |path: &str| {
        let app = app.clone();
        let request = Request::get(format!("/admin{path}"))
            .body(Body::empty())
            .unwrap();
        async move { app.oneshot(request).await.unwrap() }
    };
    // WHEN an asset, a panel route and an escape attempt are asked
    let asset = get("/assets/app.js").await;
    assert_eq!(
        asset.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let route = get("/tokens/DWSPMC1").await;
    let body = axum::body::to_bytes(route.into_body(), 1 << 16)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("panel"));
    let escape = get("/..%2F..%2Fetc%2Fpasswd").await;
    let body = axum::body::to_bytes(escape.into_body(), 1 << 16)
        .await
        .unwrap();
    // THEN the escape gets the index, never a file outside the build
    assert!(String::from_utf8_lossy(&body).contains("panel"));
    // AND config.json names the local sign-in; every answer carries the headers
    let config = get("/config.json").await;
    assert!(
        config.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(config.headers()["x-frame-options"], "DENY");
    let body = axum::body::to_bytes(config.into_body(), 1 << 10)
        .await
        .unwrap();
    assert_eq!(&body[..], br#"{"mode":"local"}"#);
    std::fs::remove_dir_all(root).ok();
}

#[test]
fn paths_that_leave_the_build_are_refused() {
    let root = Path::new("/srv/admin");
    assert_eq!(
        inside(root, "assets/a.js"),
        Some(PathBuf::from("/srv/admin/assets/a.js"))
    );
    assert_eq!(inside(root, "../secret"), None);
    assert_eq!(inside(root, "/etc/passwd"), None);
}

#[tokio::test]
async fn the_site_answers_its_root_with_and_without_the_slash_and_its_routes() {
    let root = std::env::temp_dir().join(format!("tmp-admin-nest-{}", std::process::id()));
    std::fs::create_dir_all(root.join("assets")).unwrap();
    std::fs::write(root.join("index.html"), "<title>panel</title>").unwrap();
    std::fs::write(root.join("assets/app.js"), "1").unwrap();
    let app = site_router(root.clone());
    for path in [
        "/admin",
        "/admin/",
        "/admin/assets/app.js",
        "/admin/tokens/x",
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    std::fs::remove_dir_all(root).ok();
}
