//! `/admin/`: the built admin panel, as S3 + CloudFront would serve it:
//! files from the build (`admin/dist`, or `TMP_ADMIN_DIST`), `index.html`
//! for the panel's own routes, `config.json` naming the local sign-in, and
//! the security headers of the template's response-headers policy.

use std::path::{Component, Path, PathBuf};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Where the panel is served.
pub const SITE_PATH: &str = "/admin";

/// The panel's build: `TMP_ADMIN_DIST`, else the workspace's `admin/dist`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("TMP_ADMIN_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("admin/dist"))
}

/// CSP, HSTS, no framing, no sniffing, no referrer (the panel's data stays
/// on its pages).
pub fn security_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' https://*.amazonaws.com https://*.amazoncognito.com; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
    );
    set(
        headers,
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains; preload",
    );
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// `relative` inside `root`, or `None` when it would leave it.
pub(super) fn inside(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(path)
}

fn respond(status: StatusCode, kind: &'static str, body: Vec<u8>, cache: &'static str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    security_headers(headers);
    response
}

async fn file(root: &Path, relative: &str) -> Response {
    if relative == "config.json" {
        return respond(
            StatusCode::OK,
            "application/json",
            br#"{"mode":"local"}"#.to_vec(),
            "no-store",
        );
    }
    let index = root.join("index.html");
    let wanted = inside(root, relative).filter(|p| p.is_file());
    // The panel's own routes (/admin/tokens/...) are its index.html.
    let (path, cache) = match wanted {
        Some(path) if relative.starts_with("assets/") => {
            (path, "public, max-age=31536000, immutable")
        }
        Some(path) => (path, "no-cache"),
        None => (index, "no-cache"),
    };
    match tokio::fs::read(&path).await {
        Ok(body) => respond(StatusCode::OK, content_type(&path), body, cache),
        Err(_) => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            b"The admin panel is not built: run `npm --prefix admin ci && npm --prefix admin run build` (make run does)."
                .to_vec(),
            "no-store",
        ),
    }
}

/// The site's routes, at [`SITE_PATH`] itself (merged into the gateway,
/// not nested: `/admin/` must be the panel too).
pub fn site_router(root: PathBuf) -> Router {
    let index = |State(root): State<PathBuf>| async move { file(&root, "index.html").await };
    Router::new()
        .route(SITE_PATH, get(index))
        .route(&format!("{SITE_PATH}/"), get(index))
        .route(
            &format!("{SITE_PATH}/{{*path}}"),
            get(
                |State(root): State<PathBuf>, UrlPath(path): UrlPath<String>| async move {
                    file(&root, &path).await
                },
            ),
        )
        .with_state(root)
}
