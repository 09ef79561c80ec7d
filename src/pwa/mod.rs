//! The installable app: registers the service worker and tells when a new version is ready.
