//! The binary Trunk builds: mounts the Yew app.
fn main() {
    #[cfg(target_arch = "wasm32")]
    mutex_playground::ui::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("mutex-playground is a web app: run `make serve` and open http://127.0.0.1:8080");
}
