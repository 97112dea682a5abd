//! A panic must not leave a dead page: show the message in a banner and log it.

use std::panic;

/// Replaces the panic hook: the message goes to the console (`console.error`) and into
/// the `#panic-banner` element as plain text (never as HTML).
pub fn install_hook() {
    panic::set_hook(Box::new(|info| {
        let message = format!("{info}");
        web_sys::console::error_1(&format!("Mutex Playground crashed: {message}").into());
        show_banner(&message);
    }));
}

fn show_banner(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(banner) = document.get_element_by_id("panic-banner") else { return };
    banner.set_text_content(Some(&format!(
        "Something broke inside the playground: {message}. Reload the page to start again; \
         if it keeps happening, please report it with this message."
    )));
    let _ = banner.remove_attribute("hidden");
}
