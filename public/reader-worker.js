// The import wizard's file reader, off the page's thread. It loads the
// reading bundle (frontend/reader, built into /reader/) and answers the
// page's questions one at a time, in the order they were asked
// (app/src/import/worker.rs says what they are; the page's side is
// app/src/browser.rs). A question is [id, request bytes,
// file or null]; the answer is [id, response bytes], or [id, null] when the
// reader failed; before it, a long check may send ['progress', id, done, of].
import init, { reader_serve, reader_warm } from '/reader/reader.js';

// The worker starts with the import page: loading the phone metadata and
// reading a small csv and the server's warm-up workbook now spares the first
// file read the wait (the reader has no xlsx writer to make one itself).
const ready = init({ module_or_path: '/reader/reader_bg.wasm' }).then(
  async () => {
    let xlsx = null;
    try {
      const response = await fetch('/import/warm-up.xlsx');
      if (response.ok) xlsx = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      console.warn('No warm-up workbook (the first xlsx read is slower):', error);
    }
    reader_warm(xlsx);
    return true;
  },
  (error) => {
    console.error('The file reader could not load:', error);
    return false;
  },
);

// The xlsx writer (frontend/writer), for the file of rejected rows: loaded
// the first time one is asked for.
let writer = null;
function loadWriter() {
  writer ??= import('/writer/writer.js').then(async (module) => {
    await module.default({ module_or_path: '/writer/writer_bg.wasm' });
    return module;
  });
  return writer;
}

let queue = ready;

self.onmessage = (event) => {
  queue = queue.then(() => answer(event.data));
};

async function answer([id, request, file]) {
  let reply = null;
  try {
    if (await ready) {
      let bytes;
      if (file) {
        try {
          bytes = new Uint8Array(await file.arrayBuffer());
        } catch (error) {
          console.error('The file could not be read:', error);
        }
      }
      // A long check says how far it is: ['progress', id, done, of].
      reply = reader_serve(request, bytes, (done, of) => self.postMessage(['progress', id, done, of]));
      // [job]: an xlsx for the writer to make; its answer is the page's.
      if (Array.isArray(reply)) {
        const [job] = reply;
        reply = null;
        try {
          reply = (await loadWriter()).writer_xlsx(job);
        } catch (error) {
          writer = null;
          console.error('The xlsx writer could not load:', error);
        }
      }
    }
  } catch (error) {
    console.error('The file reader failed:', error);
    reply = null;
  }
  self.postMessage([id, reply], reply ? [reply.buffer] : []);
}
