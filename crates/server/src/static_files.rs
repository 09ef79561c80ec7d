//! Serves the built browser app. Any path that is not a file gets `index.html`, because the app
//! routes on the client (`/orders`, `/cs`, … are pages of the single-page app), answered
//! with 200 like any page.

use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The static-file service for `dist_dir` with the single-page-app fallback.
pub fn service(dist_dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dist_dir)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(dist_dir.join("index.html")))
}
