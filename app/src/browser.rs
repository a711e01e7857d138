//! Browser-only helpers: take a picked or dropped file, offer bytes as a
//! download, wait, and ask the reading worker (which reads the file).
//! Compiled for the browser (`hydrate`); the server build gets versions that
//! say they cannot run there (events never fire on the server, so they are
//! never called).

/// A file the user picked or dropped.
#[derive(Clone)]
pub struct PickedFile {
    pub name: String,
    pub size: f64,
    #[cfg(feature = "hydrate")]
    file: web_sys::File,
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::PickedFile;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    pub fn from_list(list: Option<web_sys::FileList>) -> Option<PickedFile> {
        let file = list?.get(0)?;
        Some(PickedFile {
            name: file.name(),
            size: file.size(),
            file,
        })
    }

    pub fn picked_in(ev: &leptos::ev::Event) -> Option<PickedFile> {
        let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
        let picked = from_list(input.files());
        // Picking the same file again must fire `change` again.
        input.set_value("");
        picked
    }

    pub fn dropped(ev: &leptos::ev::DragEvent) -> Option<PickedFile> {
        from_list(ev.data_transfer()?.files())
    }

    /// An object URL for `bytes`, for an `<a download>` link.
    pub fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
        let array = js_sys::Uint8Array::from(bytes);
        let parts = js_sys::Array::of1(&array);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
        web_sys::Url::create_object_url_with_blob(&blob).ok()
    }

    pub fn revoke(url: &str) {
        let _ = web_sys::Url::revoke_object_url(url);
    }

    /// Loads `path` as a new page (after a login or logout, so that every
    /// part of the app starts again with the new session).
    pub fn go_to(path: &str) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(path);
        }
    }

    /// The browser's own Back (the router hears it as any Back).
    pub fn history_back() {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.back();
        }
    }

    /// This page's origin (`http://127.0.0.1:3000`), for links to share.
    pub fn origin() -> String {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }

    pub async fn sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    /// The page's side of the reading worker (`public/reader-worker.js`,
    /// which runs `crate::import::worker` in its own copy of the WASM).
    /// Questions and answers are postcard bytes; each question has a number
    /// and its answer comes back with it.
    mod reader {
        use std::cell::{Cell, RefCell};
        use std::collections::HashMap;
        use std::rc::Rc;

        use futures::channel::oneshot;
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;

        type Waiting = Rc<RefCell<HashMap<u32, oneshot::Sender<Option<Vec<u8>>>>>>;

        struct Client {
            worker: web_sys::Worker,
            next: u32,
            waiting: Waiting,
            /// The worker failed (could not load, or crashed): start another
            /// for the next question.
            broken: Rc<Cell<bool>>,
            _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
            _on_error: Closure<dyn FnMut(web_sys::Event)>,
        }

        thread_local! {
            static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
            static PROGRESS: RefCell<Option<super::super::ProgressHandler>> = const { RefCell::new(None) };
        }

        /// Who hears of a check's progress (rows validated, rows).
        pub fn on_progress(handler: Option<super::super::ProgressHandler>) {
            PROGRESS.with(|p| *p.borrow_mut() = handler);
        }

        fn start() -> Option<Client> {
            let options = web_sys::WorkerOptions::new();
            options.set_type(web_sys::WorkerType::Module);
            let worker = web_sys::Worker::new_with_options("/reader-worker.js", &options).ok()?;
            let waiting: Waiting = Rc::default();
            let broken = Rc::new(Cell::new(false));
            let answered = waiting.clone();
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |e: web_sys::MessageEvent| {
                    let data: js_sys::Array = e.data().unchecked_into();
                    if data.get(0).as_string().as_deref() == Some("progress") {
                        let (done, of) = (data.get(2).as_f64(), data.get(3).as_f64());
                        if let (Some(done), Some(of)) = (done, of) {
                            PROGRESS.with(|p| {
                                if let Some(f) = p.borrow().as_ref() {
                                    f(done as usize, of as usize);
                                }
                            });
                        }
                        return;
                    }
                    let Some(id) = data.get(0).as_f64() else {
                        return;
                    };
                    let reply = data
                        .get(1)
                        .dyn_into::<js_sys::Uint8Array>()
                        .ok()
                        .map(|a| a.to_vec());
                    if let Some(tx) = answered.borrow_mut().remove(&(id as u32)) {
                        let _ = tx.send(reply);
                    }
                },
            );
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            let failed = waiting.clone();
            let mark = broken.clone();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                mark.set(true);
                for (_, tx) in failed.borrow_mut().drain() {
                    let _ = tx.send(None);
                }
            });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Some(Client {
                worker,
                next: 0,
                waiting,
                broken,
                _on_message: on_message,
                _on_error: on_error,
            })
        }

        /// The running worker: a new one if there is none or the last one
        /// failed.
        fn running(slot: &mut Option<Client>) -> Option<&mut Client> {
            if slot.as_ref().is_none_or(|c| c.broken.get()) {
                if let Some(old) = slot.take() {
                    old.worker.terminate();
                }
                *slot = start();
            }
            slot.as_mut()
        }

        /// Starts the worker if it is not running (it loads while the user
        /// picks a file).
        pub fn start_early() {
            CLIENT.with(|cell| {
                running(&mut cell.borrow_mut());
            });
        }

        /// Posts `request` (with the file to read, if any) at once, so that
        /// questions reach the worker in the order they were asked; the
        /// answer is `None` when the worker failed.
        pub fn ask(
            request: &[u8],
            file: Option<&web_sys::File>,
        ) -> impl std::future::Future<Output = Option<Vec<u8>>> {
            let rx = CLIENT.with(|cell| {
                let mut slot = cell.borrow_mut();
                let client = running(&mut slot)?;
                let id = client.next;
                client.next = client.next.wrapping_add(1);
                let (tx, rx) = oneshot::channel();
                client.waiting.borrow_mut().insert(id, tx);
                let bytes = js_sys::Uint8Array::from(request);
                let file = file.map(JsValue::from).unwrap_or(JsValue::NULL);
                let message = js_sys::Array::of3(&JsValue::from(id), &bytes, &file);
                let transfer = js_sys::Array::of1(&bytes.buffer());
                if client
                    .worker
                    .post_message_with_transfer(&message, &transfer)
                    .is_err()
                {
                    client.waiting.borrow_mut().remove(&id);
                    return None;
                }
                Some((rx, client.broken.clone()))
            });
            async move {
                let (rx, broken) = rx?;
                let reply = rx.await.ok().flatten();
                if reply.is_none() {
                    broken.set(true);
                }
                reply
            }
        }
    }

    thread_local! {
        static KEPT: std::cell::RefCell<Option<PickedFile>> = const { std::cell::RefCell::new(None) };
    }

    /// Keeps the file being imported, to send to the reading worker again
    /// (another sheet or header row): the worker does not keep its bytes.
    pub fn keep_file(file: Option<PickedFile>) {
        KEPT.with(|k| *k.borrow_mut() = file);
    }

    pub fn kept_file() -> Option<PickedFile> {
        KEPT.with(|k| k.borrow().clone())
    }

    pub use reader::{on_progress, start_early as start_reader};

    /// Asks the reading worker; see [`crate::import::worker`].
    pub fn reader(
        request: &crate::import::worker::Request,
        file: Option<&PickedFile>,
    ) -> impl std::future::Future<Output = crate::import::worker::Response> {
        use crate::import::worker::{decode, encode, Response};
        let reply = reader::ask(&encode(request), file.map(|f| &f.file));
        async move {
            reply
                .await
                .and_then(|bytes| decode::<Response>(&bytes))
                .unwrap_or_else(|| Response::Failed(super::READER_STOPPED.into()))
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::PickedFile;

    pub fn picked_in(_: &leptos::ev::Event) -> Option<PickedFile> {
        None
    }

    pub fn dropped(_: &leptos::ev::DragEvent) -> Option<PickedFile> {
        None
    }

    pub fn object_url(_: &[u8], _: &str) -> Option<String> {
        None
    }

    pub fn revoke(_: &str) {}

    pub fn go_to(_: &str) {}

    pub fn history_back() {}

    pub fn origin() -> String {
        String::new()
    }

    pub async fn sleep(_: i32) {}

    pub fn keep_file(_: Option<PickedFile>) {}

    pub fn on_progress(_: Option<super::ProgressHandler>) {}

    pub fn start_reader() {}

    pub fn kept_file() -> Option<PickedFile> {
        None
    }

    pub fn reader(
        _: &crate::import::worker::Request,
        _: Option<&PickedFile>,
    ) -> impl std::future::Future<Output = crate::import::worker::Response> {
        std::future::ready(crate::import::worker::Response::Failed(
            "Files are read in the browser.".into(),
        ))
    }
}

pub use imp::*;

/// Hears of a check's progress in the reading worker: (rows validated, rows).
pub type ProgressHandler = Box<dyn Fn(usize, usize)>;

/// What the page says when the reading worker fails.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const READER_STOPPED: &str =
    "The file reader in this page stopped unexpectedly. Reload the page and try again.";
