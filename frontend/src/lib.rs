//! The browser entry point: hydrates the server-rendered page, serves the
//! import wizard's reading worker (`public/reader-worker.js` loads this same
//! WASM), and exposes the wizard's reading stages to the browser benchmark.

#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

/// For the browser benchmark (`end2end/bench/`): the wizard's stages 1→2 on
/// `bytes` without the page around them ([`app::import::wizard::stages_one_two`]).
/// Returns `[rows read, contacts that would be imported]`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_stages(
    bytes: Vec<u8>,
    name: &str,
    validate: bool,
) -> Result<Vec<u32>, wasm_bindgen::JsError> {
    let (rows, contacts) = app::import::wizard::stages_one_two(bytes, name, validate)
        .map_err(|e| wasm_bindgen::JsError::new(&e))?;
    Ok(vec![rows as u32, contacts as u32])
}

thread_local! {
    /// The reading worker's file (only ever used inside the worker).
    static READER: std::cell::RefCell<app::import::worker::Session> = std::cell::RefCell::default();
}

/// The reading worker's one entry point: answers a question from the page
/// ([`app::import::worker::serve`]); `bytes` are the file's, when it sent one.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn reader_serve(request: &[u8], bytes: Option<Vec<u8>>) -> Vec<u8> {
    console_error_panic_hook::set_once();
    READER.with(|s| app::import::worker::serve(&mut s.borrow_mut(), request, bytes))
}
