//! The app shell: one reducer ([`Model`]), its connections to the browser ([`hooks`]),
//! and the layout of the page's parts. Each part is a component that takes only what it
//! shows, plus the reducer's dispatcher (the same callback every render), so a part is
//! re-rendered only when what it shows changes: playback changes the step every frame,
//! and redraws the controls and the run's views, not the picker, the editor or the Share
//! panel's library.
//!
//! [`hooks`]: super::hooks

use super::code_editor::CodeEditor;
use super::compare::ComparePanel;
use super::controls::Controls;
use super::editor::Editor;
use super::embed_api::use_embed_api;
use super::explorer::ExplorerPanel;
use super::header::Header;
use super::hooks::{
    preferred_theme, use_address, use_keyboard, use_lesson_progress, use_link_changes, use_playback, use_slices,
};
use super::lesson::LessonPanel;
use super::mutex_panel::chip_motion;
use super::narration::Narration;
use super::picker::{Explanation, Picker};
use super::share::{self, SharePanel};
use super::stage::Stage;
use super::state::{Action, Embed, Mode, Model, Shared, Theme, BASE_STEPS_PER_SECOND, SPEEDS};
use yew::prelude::*;

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    // The link's fragment picks the scenario, step, speed, scheduler and theme; a bad
    // link falls back to the default with a notice.
    let model = use_reducer(|| Model::from_fragment(&share::current_fragment(), preferred_theme()));
    let dispatch = model.dispatcher().to_callback();
    use_playback(model.playing, model.speed, dispatch.clone());
    use_slices(model.pending.is_some(), dispatch.clone(), || Action::SimulateSlice);
    use_slices(model.search.as_ref().is_some_and(|s| s.running), dispatch.clone(), || Action::ExploreSlice);
    use_slices(model.compare.as_ref().is_some_and(|c| c.running()), dispatch.clone(), || Action::CompareSlice);
    use_link_changes(dispatch.clone());
    use_keyboard(dispatch.clone());
    use_lesson_progress(model.lesson.as_ref().map(|l| (l.key.clone(), l.tour.clone())));
    use_embed_api(&model, dispatch.clone());
    // The link to what is on screen, made once a render: the address, the embed's way out
    // and the Share panel all show it.
    let link = share::LinkParts::of(&model);
    use_address(link.clone(), model.embed, model.changes, model.playing);

    // Queue chips slide at a pace the playback can show, or jump when it is too fast.
    let motion = chip_motion(if model.playing { BASE_STEPS_PER_SECOND * SPEEDS[model.speed] } else { 0.0 });
    let jump = motion.is_none();
    let time = model.loaded.as_ref().map_or(0, |l| l.run.time_at(model.step));
    // Only an embedded page links to the full playground.
    let full_link = model.embed.on.then(|| AttrValue::from(link.with(Embed::default())));
    let progress = model.pending.as_ref().map(|p| p.progress);
    html! {
        <div class="shell" data-theme={model.theme.name()} data-embed={model.embed.on.to_string()}
             data-mode={if model.mode == Mode::Scheduler { "scheduler" } else { "watch" }}
             data-motion={if jump { "jump" } else { "slide" }} style={motion.map(|ms| format!("--move:{ms}ms"))}
             data-veil={model.veiled().to_string()} data-lesson={model.lesson.is_some().to_string()}>
            <Header theme={model.theme} share_open={model.share_open} {full_link} notice={model.notice.clone()}
                    scenario_name={model.scenario.name.clone()} {progress} dispatch={dispatch.clone()} />
            <aside class="side">
                <Picker presets={Shared(model.presets.clone())} current={model.preset}
                        lessons={Shared(model.lessons.clone())}
                        lesson={model.lesson.as_ref().map(|l| l.id().to_string())}
                        dispatch={dispatch.clone()} />
                <Explanation presets={Shared(model.presets.clone())} current={model.preset} edited={model.edited}
                             scenario={Shared(model.scenario.clone())} />
            </aside>
            <main class="main">
                <Controls step={model.step} steps={model.steps()} {time} playing={model.playing} speed={model.speed}
                          mode={model.mode} policy={model.policy.clone()} dispatch={dispatch.clone()} />
                if model.share_open && !model.embed.on {
                    <SharePanel scenario={Shared(model.scenario.clone())} run={model.loaded.clone()}
                                link={link.clone()} dispatch={dispatch.clone()} />
                }
                if let (Some(e), false) = (&model.error, model.editor_open) {
                    <p class="error-banner" role="alert">
                        { format!("The edited scenario cannot run: {e}. Showing the last good run.") }
                    </p>
                }
                if let Some(lesson) = model.lesson.clone() {
                    <LessonPanel {lesson} link={link.clone()} embed={model.embed} dispatch={dispatch.clone()} />
                }
                if !model.embed.on && model.lesson.is_none() {
                    <ExplorerPanel scenario={Shared(model.scenario.clone())} search={model.search.clone()}
                                   run={model.loaded.clone()} step={(!model.playing).then_some(model.step)}
                                   forks={model.forks.clone()} dispatch={dispatch.clone()} />
                }
                if model.lesson.is_none() && (!model.embed.on || model.compare.is_some()) {
                    <ComparePanel scenario={Shared(model.scenario.clone())} compare={model.compare.clone()}
                                  time={(model.step > 0).then_some(time)}
                                  dispatch={dispatch.clone()} />
                }
                if let Some(run) = model.loaded.clone() {
                    <Narration {run} step={model.step} playing={model.playing} caption={!model.embed.on} />
                }
                <Stage run={model.loaded.clone()} step={model.step} mode={model.mode} choices={model.choices.len()}
                       can_undo={!model.choices.is_empty() || model.before_reset.is_some()} axis={model.axis}
                       dark={model.theme == Theme::Dark} embed={model.embed.on} {jump}
                       error={model.error.clone()} veil={model.veiled()} code={model.embed.code}
                       source={model.code_source().map(Shared)}
                       dispatch={dispatch.clone()} />
                <section class="editor-wrap" aria-label="Edit the scenario">
                    <button class="editor-toggle" aria-expanded={model.editor_open.to_string()}
                            data-testid="editor-toggle"
                            onclick={dispatch.reform(|_| Action::ToggleEditor)}>
                        { if model.editor_open { "▾ Hide the scenario editor" } else { "▸ Edit this scenario" } }
                    </button>
                    if model.editor_open {
                        <div class="editor-pair">
                            <CodeEditor scenario={Shared(model.scenario.clone())}
                                        source={model.code_source().map(Shared)} draft={model.code_draft().map(Shared)}
                                        dispatch={dispatch.clone()} />
                            <Editor scenario={Shared(model.scenario.clone())} dispatch={dispatch.clone()} />
                        </div>
                    }
                </section>
            </main>
        </div>
    }
}
