//! Sizes the drawing depends on, measured when the layout changes rather than on every
//! frame: reading an element's width in the middle of a frame forces the browser to lay
//! the page out an extra time, which 200-task playback cannot afford (BENCHMARKS.md).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The width (CSS px, `clientWidth`) of the element `node` refers to, or of its first
/// descendant matching `inner` when given, kept up to date by a `ResizeObserver` on
/// `node` for as long as the component is mounted.
///
/// It is 0 until the first measurement (the observer reports once the element has been
/// laid out) and while the element is not laid out at all. `key` re-attaches the observer
/// when it changes: pass whatever decides that `node` was re-created or that `inner`
/// could have changed size without `node` changing (e.g. the number of grid columns).
#[hook]
pub fn use_width<K: PartialEq + 'static>(node: &NodeRef, inner: Option<&'static str>, key: K) -> i32 {
    let width = use_state_eq(|| 0);
    {
        let width = width.clone();
        let node = node.clone();
        use_effect_with(key, move |_| {
            let watch = node.cast::<web_sys::Element>().and_then(|el| {
                let target = el.clone();
                let callback = Closure::<dyn Fn()>::new(move || {
                    let measured = match inner {
                        Some(css) => target.query_selector(css).ok().flatten().map_or(0, |e| e.client_width()),
                        None => target.client_width(),
                    };
                    width.set(measured);
                });
                let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                // The first observation reports the current size, so this also measures now.
                observer.observe(&el);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = watch {
                    observer.disconnect();
                }
            }
        });
    }
    *width
}
