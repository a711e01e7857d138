//! The import wizard's reading worker: a WASM bundle of its own, loaded by
//! `public/reader-worker.js` in a Web Worker, so that the page's bundle
//! carries none of the readers (calamine, csv, encodings), the validation
//! of every row, or the xlsx writer, and so that this code can be built for
//! speed (`profile.reader-release`) while the page is built for size. Also
//! exposes the wizard's reading stages to the browser benchmark.

use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    /// The worker's file: one at a time.
    static READER: std::cell::RefCell<app::import::worker::Session> = std::cell::RefCell::default();
}

/// The worker's one entry point: answers a question from the page
/// ([`app::import::worker::serve`]); `bytes` are the file's, when it sent one;
/// `progress(done, of)` is called as a check goes (the worker passes it on
/// to the page).
#[wasm_bindgen]
pub fn reader_serve(
    request: &[u8],
    bytes: Option<Vec<u8>>,
    progress: &js_sys::Function,
) -> Vec<u8> {
    console_error_panic_hook::set_once();
    READER.with(|s| {
        app::import::worker::serve(&mut s.borrow_mut(), request, bytes, &mut |done, of| {
            let _ = progress.call2(
                &wasm_bindgen::JsValue::NULL,
                &(done as f64).into(),
                &(of as f64).into(),
            );
        })
    })
}

/// Readies the reader before the user's file comes: loads the phone
/// metadata and has the browser optimise the reading code
/// ([`app::import::wizard::warm_up`]); the worker calls it as soon as it
/// starts, while the user picks a file.
#[wasm_bindgen]
pub fn reader_warm() {
    console_error_panic_hook::set_once();
    app::import::wizard::warm_up();
}

/// For the browser benchmark (`end2end/bench/`): the wizard's stages 1→2 on
/// `bytes` ([`app::import::wizard::stages_one_two`]).
/// Returns `[rows read, contacts that would be imported]`.
#[wasm_bindgen]
pub fn bench_stages(
    bytes: Vec<u8>,
    name: &str,
    validate: bool,
) -> Result<Vec<u32>, wasm_bindgen::JsError> {
    let (rows, contacts) = app::import::wizard::stages_one_two(bytes, name, validate)
        .map_err(|e| wasm_bindgen::JsError::new(&e))?;
    Ok(vec![rows as u32, contacts as u32])
}
