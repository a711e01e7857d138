//! Browser-only helpers: read a picked or dropped file's bytes, offer bytes
//! as a download, wait. Compiled for the browser (`hydrate`); the server
//! build gets versions that say they cannot run there (events never fire on
//! the server, so they are never called).

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

    pub async fn bytes(file: &PickedFile) -> Result<Vec<u8>, String> {
        let buffer = JsFuture::from(file.file.array_buffer())
            .await
            .map_err(|_| {
                "The browser could not read this file. Try choosing it again.".to_string()
            })?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
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

    pub async fn sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    /// Lets the browser paint before a long computation.
    pub async fn yield_now() {
        sleep(0).await
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

    pub async fn bytes(_: &PickedFile) -> Result<Vec<u8>, String> {
        Err("Files are read in the browser.".into())
    }

    pub fn object_url(_: &[u8], _: &str) -> Option<String> {
        None
    }

    pub fn revoke(_: &str) {}

    pub async fn sleep(_: i32) {}

    pub async fn yield_now() {}
}

pub use imp::*;
