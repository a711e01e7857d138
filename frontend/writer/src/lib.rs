//! The import wizard's xlsx writer: a WASM bundle of its own, which
//! `public/reader-worker.js` loads the first time the user asks for the file
//! of rejected rows as xlsx. The reading bundle (`frontend/reader`) carries
//! no xlsx writer: rust_xlsxwriter and zip's compressor were a fifth of it,
//! and every import would have downloaded them for a file few ask for.

use wasm_bindgen::prelude::wasm_bindgen;

/// Writes the xlsx of a job the reader handed over
/// ([`app::import::worker::Served::Write`]); the answer is the page's
/// ([`app::import::worker::write_xlsx`]).
#[wasm_bindgen]
pub fn writer_xlsx(job: &[u8]) -> Vec<u8> {
    console_error_panic_hook::set_once();
    app::import::worker::write_xlsx(job)
}
