//! The browser's local storage, where it may be missing: a page embedded on another
//! site can have it blocked (the browser's getter throws), and a full or private store can
//! refuse a write. Nothing here panics: a read that cannot be made reads nothing, a write
//! that cannot be made says why, and the page goes on without remembering.

use serde::{de::DeserializeOwned, Serialize};

/// The page's local storage, if the browser lets the page have it.
pub fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value stored as JSON under `key`, if there is one and it reads as a `T`.
pub fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = local()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

/// Stores `value` as JSON under `key`.
pub fn set<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    set_text(key, &serde_json::to_string(value).map_err(|e| e.to_string())?)
}

/// Stores `text` under `key` as it is.
pub fn set_text(key: &str, text: &str) -> Result<(), String> {
    local()
        .ok_or("the browser keeps no storage for this page (blocked in an embed, or off)")?
        .set_item(key, text)
        .map_err(|_| "the browser refused to store it (storage full, or off for this page?)".to_string())
}

/// Forgets `key` (nothing happens without storage).
pub fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}
