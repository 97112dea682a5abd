//! If a panic happens anyway, the person is told and offered a way back.
//!
//! The release build uses `panic = "abort"`: after the hook below runs, the WebAssembly
//! instance is dead and nothing of ours runs any more. So the banner is plain DOM with
//! plain links, which work without us: one reopens the same link (a full page load: the
//! URL gets a `reopen` query parameter, which the app ignores, so the browser does not
//! treat it as a jump within the page), one opens the playground without the link's
//! scenario, in case the link is what breaks it.

use std::panic;

/// Replaces the panic hook: the message goes to the console (`console.error`) and into
/// the `#panic-banner` element as plain text (never as HTML), with the two links.
pub fn install_hook() {
    panic::set_hook(Box::new(|info| {
        let message = format!("{info}");
        web_sys::console::error_1(&format!("Mutex Playground crashed: {message}").into());
        show_banner(&message);
    }));
}

/// The addresses the banner offers: the same link, loaded afresh, and the page without
/// the link's fragment. `href` is the page's address; `stamp` makes the first one new.
pub fn reopen_links(href: &str, stamp: u64) -> (String, String) {
    let (before_hash, hash) = match href.find('#') {
        Some(i) => (&href[..i], &href[i..]),
        None => (href, ""),
    };
    let (path, query) = match before_hash.find('?') {
        Some(i) => (&before_hash[..i], &before_hash[i + 1..]),
        None => (before_hash, ""),
    };
    let kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("reopen=")).collect();
    let mut again = path.to_string();
    again.push('?');
    for p in &kept {
        again.push_str(p);
        again.push('&');
    }
    again.push_str(&format!("reopen={stamp}"));
    again.push_str(hash);
    let plain = if kept.is_empty() { path.to_string() } else { format!("{path}?{}", kept.join("&")) };
    (again, plain)
}

/// Shows `message` in the banner, with links to reopen the page.
pub fn show_banner(message: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let Some(banner) = document.get_element_by_id("panic-banner") else { return };
    banner.set_text_content(Some(&format!("Something broke inside the playground: {message}. ")));
    let href = window.location().href().unwrap_or_default();
    let (again, plain) = reopen_links(&href, js_sys::Date::now() as u64);
    for (text, url, id) in
        [("Reopen this link", again, "panic-reopen"), ("Open the playground without it", plain, "panic-plain")]
    {
        if let Ok(a) = document.create_element("a") {
            a.set_text_content(Some(text));
            let _ = a.set_attribute("href", &url);
            let _ = a.set_attribute("id", id);
            let _ = banner.append_child(&a);
            let _ = banner.append_child(&document.create_text_node(" "));
        }
    }
    let _ =
        banner.append_child(&document.create_text_node("If it keeps happening, please report it with this message."));
    let _ = banner.remove_attribute("hidden");
}
