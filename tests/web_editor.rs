//! The scenario editor in a real browser: the form always shows the scenario as it is
//! (menus too, after rows are reused), every problem is shown at its field, a field that
//! must be JSON says when it is not, renaming a mutex renames it everywhere, and an edited
//! scenario has its own title and description, used wherever it is named.
#![cfg(target_arch = "wasm32")]

mod web_common;

use mutex_playground::ui::state::{Model, Theme};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::{all, click, q};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The app on a preset with the editor open.
async fn editor_on(preset: &str) -> Element {
    let root = web_common::mount_at(&format!("#preset={preset}")).await;
    click(&root, "[data-testid=editor-toggle]").await;
    root
}

/// Sets a field's value (input, select or textarea) as a person would, and lets yew render.
async fn set(root: &Element, css: &str, value: &str) {
    let el = q(root, css);
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.set_value(value);
    } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
        s.set_value(value);
    } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.set_value(value);
    }
    el.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
}

/// Every step menu's shown value against the value the model gave it.
fn menus_agree(root: &Element) -> Result<(), String> {
    for m in all(root, "select[data-value]") {
        let select: HtmlSelectElement = m.dyn_into().unwrap();
        let model = select.get_attribute("data-value").unwrap();
        if select.value() != model {
            let label = select.get_attribute("aria-label").unwrap();
            return Err(format!("{label} shows {:?}, the step is {model:?}", select.value()));
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn a_menu_always_shows_its_own_steps_kind() {
    let root = editor_on("reader-writer").await;
    let first = "[data-testid=task-card] [data-testid=step-op]";
    // The first step is a print, the second a lock. The person makes the first a lock, then
    // a print again: both options of that menu have now been picked by hand, and a menu
    // no longer follows the `selected` attribute of an option picked by hand.
    assert_eq!(q(&root, first).get_attribute("data-value").as_deref(), Some("print"));
    set(&root, first, "lock").await;
    set(&root, first, "print").await;
    // Removing that step reuses its row for the next step: the lock.
    click(&root, "[data-testid=task-card] [data-testid=remove-step]").await;
    assert_eq!(q(&root, first).get_attribute("data-value").as_deref(), Some("lock"));
    menus_agree(&root).unwrap();
    // And after adding a task.
    click(&root, "[data-testid=add-task]").await;
    menus_agree(&root).unwrap();
    // Whatever a menu was left showing (here: set behind the app's back), the next render
    // puts it back to its step's kind.
    q(&root, first).dyn_into::<HtmlSelectElement>().unwrap().set_value("yield");
    set(&root, "[data-field=\"tasks[0].name\"]", "reader 2").await;
    menus_agree(&root).unwrap();
    root.remove();
}

#[wasm_bindgen_test]
async fn every_problem_is_shown_at_its_field() {
    let root = editor_on("deadlock").await;
    // Each task's first step is its first lock: without it, its unlock drops a guard not held.
    for card in [0, 1] {
        let card = &all(&root, "[data-testid=task-card]")[card];
        let remove = card.query_selector("[data-testid=remove-step]").unwrap().unwrap();
        remove.dyn_into::<web_sys::HtmlElement>().unwrap().click();
        yew::scheduler::flush().await;
    }
    let paths: Vec<String> =
        all(&root, "[data-testid=field-error]").iter().filter_map(|e| e.get_attribute("data-path")).collect();
    assert!(paths.iter().any(|p| p.starts_with("tasks[0].")), "{paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("tasks[1].")), "{paths:?}");
    let banner = q(&root, "[data-testid=scenario-error]").text_content().unwrap();
    assert!(banner.contains("2 problems"), "{banner}");
    root.remove();
}

#[wasm_bindgen_test]
async fn text_that_is_not_json_is_kept_and_refused_with_a_reason() {
    let root = editor_on("reader-writer").await;
    let initial = "[data-field=\"mutexes[0].initial\"]";
    let before = q(&root, "[data-testid=final-value]").text_content().unwrap();
    set(&root, initial, "{oops").await;
    let error = q(&root, "[data-testid=json-error]").text_content().unwrap();
    assert!(error.contains("not JSON") && error.contains(r#""{oops""#), "{error}");
    let field: HtmlInputElement = q(&root, initial).dyn_into().unwrap();
    assert_eq!(field.value(), "{oops", "what was typed is lost");
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    // The scenario did not change: the run's final value is what it was.
    let value = q(&root, "[data-testid=final-value]").text_content().unwrap();
    assert_eq!(value, before);
    // Quoted, it is JSON: a string.
    set(&root, initial, r#""{oops""#).await;
    assert!(root.query_selector("[data-testid=json-error]").unwrap().is_none());
    assert!(q(&root, "[data-testid=final-value]").text_content().unwrap().contains("{oops"));
    root.remove();
}

#[wasm_bindgen_test]
async fn renaming_a_mutex_renames_it_in_every_step() {
    let root = editor_on("reader-writer").await;
    set(&root, "[data-field=\"mutexes[0].name\"]", "store").await;
    let error = root.query_selector("[data-testid=scenario-error]").unwrap();
    assert!(error.is_none(), "the steps still name the old mutex");
    let mutex_menus: Vec<String> = all(&root, "select[aria-label$=\": mutex\"]")
        .into_iter()
        .map(|m| m.dyn_into::<HtmlSelectElement>().unwrap().value())
        .collect();
    assert!(!mutex_menus.is_empty() && mutex_menus.iter().all(|m| m == "store"), "{mutex_menus:?}");
    // Fields are named for people, not by JSON path.
    let label = q(&root, "[data-testid=step-op]").get_attribute("aria-label").unwrap();
    assert!(label.starts_with("task ") && !label.contains('['), "{label}");
    root.remove();
}

#[wasm_bindgen_test]
async fn an_edited_scenario_has_its_own_title_and_description_everywhere() {
    let root = editor_on("reader-writer").await;
    set(&root, "[data-field=name]", "Two readers, one writer").await;
    set(&root, "[data-field=description]", "Watch the writer wait.").await;
    let about = q(&root, "[data-testid=explanation]").text_content().unwrap();
    assert!(about.contains("Two readers, one writer") && about.contains("Watch the writer wait."), "{about}");
    click(&root, "[data-testid=share-toggle]").await;
    let snippet: HtmlTextAreaElement = q(&root, "[data-testid=embed-snippet]").dyn_into().unwrap();
    assert!(snippet.value().contains("title=\"Mutex Playground: Two readers, one writer\""), "{}", snippet.value());
    let save: HtmlInputElement = q(&root, "input[aria-label=\"Name to save under\"]").dyn_into().unwrap();
    assert_eq!(save.value(), "Two readers, one writer");
    // A link to it opens with its title and description.
    let link: HtmlInputElement = q(&root, "[data-testid=share-link]").dyn_into().unwrap();
    let fragment = link.value().split('#').nth(1).unwrap().to_string();
    let m = Model::from_fragment(&fragment, Theme::Light);
    assert_eq!(m.scenario.name, "Two readers, one writer");
    assert_eq!(m.scenario.description, "Watch the writer wait.");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_blank_scenario_to_start_from() {
    let root = editor_on("reader-writer").await;
    click(&root, "[data-testid=blank-scenario]").await;
    assert_eq!(all(&root, "[data-testid=task-card]").len(), 1);
    assert_eq!(all(&root, "[data-testid=mutex-row]").len(), 1);
    assert!(root.query_selector("[data-testid=scenario-error]").unwrap().is_none());
    assert!(root.query_selector(".preset[aria-pressed=true]").unwrap().is_none(), "a preset is still marked as open");
    assert!(web_common::fragment().contains("s="), "the address does not carry the new scenario");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_long_name_stays_inside_its_card() {
    web_common::add_stylesheet();
    let root = editor_on("reader-writer").await;
    root.set_attribute("style", "width:700px").unwrap();
    let long = "a-task-name-with-no-spaces-".repeat(6);
    set(&root, "[data-field=\"tasks[0].name\"]", &long).await;
    web_common::settle().await;
    let card = q(&root, "[data-testid=task-card] legend");
    let fieldset = card.parent_element().unwrap();
    assert!(card.scroll_width() <= fieldset.client_width(), "{} > {}", card.scroll_width(), fieldset.client_width());
    root.remove();
}

#[wasm_bindgen_test]
async fn a_select_step_edits_its_sleep_and_both_branches() {
    use mutex_playground::scenario::Step;
    let root = editor_on("select").await;
    let row = "[data-path=\"tasks[1].steps[0]\"]";
    let op = q(&root, &format!("{row} [data-testid=step-op]"));
    assert_eq!(op.get_attribute("data-value").as_deref(), Some("select"));
    // Its two branches are lists of rows, in the program's order: the sleep's, then the lock's.
    let nested = |root: &Element| -> Vec<String> {
        all(root, &format!("{row} [data-testid=step-row]"))
            .iter()
            .filter_map(|e| e.get_attribute("data-path"))
            .collect()
    };
    assert_eq!(
        nested(&root),
        ["tasks[1].steps[0].timed_out[0]", "tasks[1].steps[0].locked[0]", "tasks[1].steps[0].locked[1]"]
    );
    // A step added to the lock's branch is a lock of m, which the branch already holds: the
    // problem is shown at that step. Made a print, it is fine.
    let add = all(&root, "button.add")
        .into_iter()
        .find(|b| b.get_attribute("aria-label").is_some_and(|l| l.contains("waiter, step 1, if the lock comes first")))
        .expect("the lock branch's add button");
    add.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    let added = "tasks[1].steps[0].locked[2]";
    assert_eq!(nested(&root).last().map(String::as_str), Some(added));
    let errors: Vec<String> =
        all(&root, "[data-testid=field-error]").iter().filter_map(|e| e.get_attribute("data-path")).collect();
    assert_eq!(errors, [added]);
    set(&root, &format!("[data-path=\"{added}\"] [data-testid=step-op]"), "print").await;
    set(&root, "[data-field=\"tasks[1].steps[0].ms\"]", "150").await;
    assert!(root.query_selector("[data-testid=scenario-error]").unwrap().is_none());
    menus_agree(&root).unwrap();
    // The scenario the page holds (as its link carries it).
    click(&root, "[data-testid=share-toggle]").await;
    let link: HtmlInputElement = q(&root, "[data-testid=share-link]").dyn_into().unwrap();
    let m = Model::from_fragment(link.value().split('#').nth(1).unwrap(), Theme::Light);
    let Step::Select { ms, locked, timed_out, .. } = &m.scenario.tasks[1].steps[0] else { panic!("not a select") };
    assert_eq!((*ms, locked.len(), timed_out.len()), (150, 3, 1));
    assert!(matches!(locked[2], Step::Print { .. }), "{locked:?}");
    root.remove();
}
