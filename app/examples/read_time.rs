//! Native reference for the browser benchmark (`end2end/bench/`): times, on
//! one file, bare calamine / the csv crate (every cell to a `String`), our
//! reader (read + header + auto-mapping) and the whole of stages 1→2 (plus
//! validation of every row). Prints one JSON object of milliseconds (best of
//! `RUNS`, default 3), and the peak heap each of the reads took above what
//! was held before it (KiB, the file's copy included, as in the browser).
//!
//! `cargo run --release -p app --example read_time -- FILE`

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use app::import::warm_up::stages_one_two;
use calamine::{Reader, Xlsx};

/// The system allocator, counting the bytes held and their peak.
struct Counting;
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(held, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak heap (KiB) `f` takes above what is held when it starts.
fn peak_kib(f: impl FnOnce() -> usize) -> usize {
    let before = HELD.load(Relaxed);
    PEAK.store(before, Relaxed);
    f();
    (PEAK.load(Relaxed) - before) / 1024
}

fn bare(bytes: &[u8], name: &str) -> usize {
    if name.ends_with(".csv") {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        return rows.len();
    }
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    cells.len()
}

fn best_ms(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (best, n)
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: read_time FILE");
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let bytes = std::fs::read(&path).expect("readable file");
    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
    let (bare_ms, bare_rows) = best_ms(runs, || bare(&bytes, &name));
    let (read_ms, rows) = best_ms(runs, || {
        stages_one_two(bytes.clone(), &name, false)
            .expect("readable")
            .0
    });
    let (stages_ms, contacts) = best_ms(runs, || {
        stages_one_two(bytes.clone(), &name, true)
            .expect("readable")
            .1
    });
    let bare_kib = peak_kib(|| bare(&bytes, &name));
    let read_kib = peak_kib(|| stages_one_two(bytes.clone(), &name, false).map_or(0, |r| r.0));
    println!(
        "{{\"bare_ms\":{bare_ms:.1},\"bare_rows\":{bare_rows},\"read_ms\":{read_ms:.1},\
         \"rows\":{rows},\"stages_ms\":{stages_ms:.1},\"contacts\":{contacts},\
         \"bare_peak_kib\":{bare_kib},\"read_peak_kib\":{read_kib}}}"
    );
}
