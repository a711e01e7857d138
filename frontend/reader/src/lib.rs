//! The import wizard's reading worker: a WASM bundle of its own, loaded by
//! `public/reader-worker.js` in a Web Worker, so that the page's bundle
//! carries none of the readers (calamine, csv, encodings), the validation
//! of every row, or the xlsx writer, and so that this code can be built for
//! speed (`profile.reader-release`) while the page is built for size. Also
//! exposes the wizard's reading stages to the browser benchmark.

use std::io::{Read, Seek, SeekFrom};

use app::import::read::FileBytes;
use app::import::worker::Served;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    /// The worker's file: one at a time.
    static READER: std::cell::RefCell<app::import::worker::Session> = std::cell::RefCell::default();
}

/// The worker's one entry point: answers a question from the page
/// ([`app::import::worker::serve`]); `bytes` are the file's, when it sent one;
/// `progress(done, of)` is called as a check goes (the worker passes it on
/// to the page). The answer is the page's bytes, or `[job]`: an xlsx for
/// the writing bundle (`frontend/writer`) to make, whose answer goes to the
/// page instead.
#[wasm_bindgen]
pub fn reader_serve(
    request: &[u8],
    bytes: Option<Uint8Array>,
    progress: &js_sys::Function,
) -> wasm_bindgen::JsValue {
    console_error_panic_hook::set_once();
    let bytes = bytes.map(in_place);
    let served = READER.with(|s| {
        app::import::worker::serve(&mut s.borrow_mut(), request, bytes, &mut |done, of| {
            let _ = progress.call2(
                &wasm_bindgen::JsValue::NULL,
                &(done as f64).into(),
                &(of as f64).into(),
            );
        })
    });
    match served {
        Served::Reply(reply) => Uint8Array::from(&reply[..]).into(),
        Served::Write(job) => js_sys::Array::of1(&Uint8Array::from(&job[..])).into(),
    }
}

/// Readies the reader before the user's file comes: loads the phone
/// metadata and has the browser optimise the reading code
/// ([`app::import::warm_up::warm_up`]); the worker calls it as soon as it
/// starts, while the user picks a file.
/// `xlsx` is the server's warm-up workbook (`/import/warm-up.xlsx`), when
/// it came: read where it is, as the user's will be.
#[wasm_bindgen]
pub fn reader_warm(xlsx: Option<Uint8Array>) {
    console_error_panic_hook::set_once();
    app::import::warm_up::warm_up(|| xlsx.clone().map(in_place));
}

/// For the browser benchmark (`end2end/bench/`): the wizard's stages 1→2 on
/// `bytes` ([`app::import::warm_up::stages_one_two`]).
/// Returns `[rows read, contacts that would be imported]`.
#[wasm_bindgen]
pub fn bench_stages(
    bytes: Uint8Array,
    name: &str,
    validate: bool,
) -> Result<Vec<u32>, wasm_bindgen::JsError> {
    let (rows, contacts) = app::import::warm_up::stages_one_two(in_place(bytes), name, validate)
        .map_err(|e| wasm_bindgen::JsError::new(&e))?;
    Ok(vec![rows as u32, contacts as u32])
}

/// The browser's copy of a file, read where it is: a workbook is then read
/// without first copying the whole file into WASM memory (which never
/// shrinks), only the parts being unpacked as they are asked for (the
/// unpacker asks for 32 KiB at a time).
fn in_place(bytes: Uint8Array) -> FileBytes {
    let len = u64::from(bytes.length());
    FileBytes::InPlace(Box::new(JsBytes { bytes, pos: 0 }), len)
}

/// `Read` and `Seek` over a JavaScript byte array.
struct JsBytes {
    bytes: Uint8Array,
    pos: u32,
}

impl Read for JsBytes {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = self.bytes.length();
        let start = self.pos.min(len);
        let end = start
            .saturating_add(u32::try_from(buf.len()).unwrap_or(u32::MAX))
            .min(len);
        let n = (end - start) as usize;
        if n > 0 {
            self.bytes.subarray(start, end).copy_to(&mut buf[..n]);
        }
        self.pos = end;
        Ok(n)
    }
}

impl Seek for JsBytes {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let len = i64::from(self.bytes.length());
        let pos = match to {
            SeekFrom::Start(n) => i64::try_from(n).unwrap_or(i64::MAX),
            SeekFrom::End(d) => len.saturating_add(d),
            SeekFrom::Current(d) => i64::from(self.pos).saturating_add(d),
        };
        if pos < 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            ));
        }
        // Past the end reads nothing, as with a file.
        self.pos = u32::try_from(pos).unwrap_or(u32::MAX);
        Ok(u64::from(self.pos))
    }
}
