//! The accessibility audit: axe-core's WCAG 2.1 A and AA rules in the release page, on
//! every preset, the editor, the explorer with its results, a fork's breadcrumb, a
//! lesson (asking, answered, embedded) and the embed, in the light and the dark theme.
//! axe-core is installed by the bootstrap into `.tools/` (like wasm-opt) and injected into
//! the page as a script.

use super::harness::*;
use fantoccini::Client;
use mutex_playground::scenario::presets;
use serde_json::Value;
use std::path::Path;

/// The violations axe finds in the page as it is now: `rule (impact): where…`.
async fn audit(client: &Client) -> Vec<String> {
    let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/node_modules/axe-core/axe.min.js");
    let source =
        std::fs::read_to_string(&axe).unwrap_or_else(|e| panic!("{}: {e} (run make bootstrap)", axe.display()));
    client.execute(&format!("{source}; return true;"), vec![]).await.unwrap();
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
          .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
             v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
          .catch(e => done(['axe failed: ' + e]));";
    let found: Value = client.execute_async(script, vec![]).await.unwrap();
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn no_accessibility_violations_anywhere_in_either_theme() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 1000).await;
    let mut problems = Vec::new();
    for theme in ["light", "dark"] {
        let mut pages: Vec<(String, String)> =
            presets().iter().map(|p| (format!("preset {}", p.id), format!("preset={}&step=3", p.id))).collect();
        pages.push(("embed".into(), "preset=deadlock&embed=1&step=4".into()));
        for (name, fragment) in pages {
            client.goto(&format!("{base}#{fragment}&theme={theme}")).await.unwrap();
            wait_for(&client, ".timeline canvas").await;
            for v in audit(&client).await {
                problems.push(format!("{name}, {theme}: {v}"));
            }
        }
        // The editor open, the explorer's results and a fork's breadcrumb, on one page.
        client.goto(&format!("{base}#preset=hidden-deadlock&step=2&theme={theme}")).await.unwrap();
        wait_for(&client, "[data-testid=editor-toggle]").await.click().await.unwrap();
        wait_for(&client, "[data-testid=explore]").await.click().await.unwrap();
        wait_for(&client, "[data-testid=explore-outcome]").await;
        wait_for(&client, "[data-testid=fork]").await.click().await.unwrap();
        wait_for(&client, "[data-testid=forks]").await;
        for v in audit(&client).await {
            problems.push(format!("editor + explorer + fork, {theme}: {v}"));
        }
        // The compare view: its columns, table and chart.
        client
            .goto(&format!(
                "{base}#preset=barging-starvation&step=5&compare=async,barging,lifo,eventually_fair&theme={theme}"
            ))
            .await
            .unwrap();
        wait_for(&client, "[data-testid=compare-chart]").await;
        for v in audit(&client).await {
            problems.push(format!("compare view, {theme}: {v}"));
        }
        // A lesson asking its question, answered (the verdict and why showing), and embedded.
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{base}#lesson=seed-001-deadlock&stop=2&theme={theme}")).await.unwrap();
        wait_for(&client, "[data-testid=question]").await;
        for v in audit(&client).await {
            problems.push(format!("lesson asking, {theme}: {v}"));
        }
        wait_for(&client, "[data-testid=choice]").await.click().await.unwrap();
        wait_for(&client, "[data-testid=verdict]").await;
        for v in audit(&client).await {
            problems.push(format!("lesson answered, {theme}: {v}"));
        }
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{base}#lesson=seed-004-lost-wakeup&stop=3&embed=1&theme={theme}")).await.unwrap();
        wait_for(&client, "[data-testid=question]").await;
        for v in audit(&client).await {
            problems.push(format!("lesson embedded, {theme}: {v}"));
        }
    }
    client.close().await.unwrap();
    assert!(problems.is_empty(), "{} violations:\n{}", problems.len(), problems.join("\n"));
}
