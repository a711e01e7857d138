//! The browser entry point: hydrates the server-rendered page, and exposes
//! the wizard's reading stages to the browser benchmark.

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
