//! Entry point of the browser app: mounts the console shell and registers the service worker.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(jumun::App);
    jumun::pwa::register_service_worker();
}
