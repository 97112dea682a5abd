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

/// A list of `rows` rows, each `row` px tall, in a scrolling view `height` px tall (the
/// element `node`; `geometry` is `(row, height, overscan)`): which rows to draw (those in
/// view, and `overscan` more each side),
/// and the `onscroll` callback that follows the view. When `keep` (a row) or `key`
/// changes and that row is out of view, the view scrolls to it. The scroll offset is the
/// one `onscroll` last reported, so nothing here reads the layout back.
#[hook]
pub fn use_window<K: PartialEq + Clone + 'static>(
    node: &NodeRef,
    rows: usize,
    geometry: (f64, f64, usize),
    keep: Option<usize>,
    key: K,
) -> (std::ops::Range<usize>, Callback<Event>) {
    let (row, height, overscan) = geometry;
    let scroll = use_state(|| 0.0f64);
    {
        let (node, view_top) = (node.clone(), *scroll);
        use_effect_with((key, keep), move |(_, keep)| {
            if let (Some(i), Some(el)) = (*keep, node.cast::<web_sys::Element>()) {
                let top = i as f64 * row;
                if top < view_top || top + row > view_top + height {
                    el.set_scroll_top((top - height / 3.0).max(0.0) as i32);
                }
            }
        });
    }
    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                scroll.set(el.scroll_top() as f64);
            }
        })
    };
    let last = (((*scroll + height) / row) as usize + overscan).min(rows);
    let first = ((*scroll / row) as usize).saturating_sub(overscan).min(last);
    (first..last, onscroll)
}
