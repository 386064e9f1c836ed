//! The browser side of the sources: `fetch` with `Range`, and reading `File`s of an opened folder.

use std::collections::HashMap;
use std::rc::Rc;

use aspara::format::Manifest;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::discover::{Discovery, ListedFile, discover, strip_common_root};
use super::{Chunk, SourceError};

// Walking a dropped or picked directory needs the callback-style entry API and async iterators;
// a few lines of JavaScript say that more plainly than the equivalent Reflect calls. They live in
// index.html as `window.asparaFs` (a module snippet would add a `snippets/` folder to the built site,
// which would then look like a project when the dashboard sits in a data directory).
#[wasm_bindgen(js_namespace = asparaFs)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn collect_dropped(dt: &web_sys::DataTransfer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn pick_directory() -> Result<JsValue, JsValue>;
    /// Whether `showDirectoryPicker` exists (Chromium).
    pub fn has_directory_picker() -> bool;
    fn input_files(input: &web_sys::HtmlInputElement) -> JsValue;
}

/// A data directory served over HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSource {
    /// Base URL ending in `/`; run paths are appended to it.
    pub base: String,
}

/// A folder opened in the browser: its files by path relative to the data root.
#[derive(Debug)]
pub struct LocalFolder {
    /// The folder's name, for the header.
    pub label: String,
    files: HashMap<String, web_sys::File>,
    /// What was found in it.
    pub discovery: Discovery,
}

/// Where the dashboard reads from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A static host.
    Http(HttpSource),
    /// An opened folder.
    Local(Rc<LocalFolder>),
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Source::Http(a), Source::Http(b)) => a == b,
            (Source::Local(a), Source::Local(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

fn js_message(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

async fn fetch(url: &str, from: Option<u64>) -> Result<(u16, Vec<u8>), SourceError> {
    let net = |e: JsValue| SourceError::Network {
        url: url.to_owned(),
        message: js_message(&e),
    };
    let resp = request(url, from).await?;
    let status = resp.status();
    let buf = JsFuture::from(resp.array_buffer().map_err(net)?)
        .await
        .map_err(net)?;
    Ok((status, js_sys::Uint8Array::new(&buf).to_vec()))
}

/// Sends a GET (with `Range: bytes=<from>-` when `from` is given) and returns the response once its
/// headers are in; the body is read by the caller, whole or as a stream.
async fn request(url: &str, from: Option<u64>) -> Result<web_sys::Response, SourceError> {
    let net = |e: JsValue| SourceError::Network {
        url: url.to_owned(),
        message: js_message(&e),
    };
    let window = web_sys::window().ok_or_else(|| net(JsValue::from_str("no window")))?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    // Run files and the manifest change while a run is live: never answer from the HTTP cache.
    init.set_cache(web_sys::RequestCache::NoStore);
    let headers = web_sys::Headers::new().map_err(net)?;
    if let Some(o) = from {
        headers.set("Range", &format!("bytes={o}-")).map_err(net)?;
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(net)?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(net)?
        .dyn_into()
        .map_err(net)?;
    Ok(resp)
}

/// A file's bytes as they arrive: from an HTTP body stream (decoding starts with the first bytes
/// instead of after the last), or whole from an opened folder.
pub struct ByteStream {
    url: String,
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    whole: Option<Vec<u8>>,
}

impl ByteStream {
    /// The next piece, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, SourceError> {
        if let Some(w) = self.whole.take() {
            return Ok(Some(w));
        }
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let net = |e: JsValue| SourceError::Network {
            url: self.url.clone(),
            message: js_message(&e),
        };
        let result = JsFuture::from(reader.read()).await.map_err(net)?;
        let done = js_sys::Reflect::get(&result, &JsValue::from_str("done"))
            .map_err(net)?
            .is_truthy();
        if done {
            self.reader = None;
            return Ok(None);
        }
        let value = js_sys::Reflect::get(&result, &JsValue::from_str("value")).map_err(net)?;
        let bytes: js_sys::Uint8Array = value.dyn_into().map_err(net)?;
        Ok(Some(bytes.to_vec()))
    }
}

/// Yields to the browser's event loop with a macrotask (a `MessageChannel` message): input, layout
/// and painting run before the caller continues. Unlike `setTimeout(0)`, which browsers clamp to
/// ≥ 4 ms once nested, the message is delivered at once.
pub async fn yield_to_browser() {
    let Ok(channel) = web_sys::MessageChannel::new() else {
        gloo_timers::future::TimeoutFuture::new(0).await;
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        channel.port1().set_onmessage(Some(&resolve));
        if channel.port2().post_message(&JsValue::NULL).is_err() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    // `channel` lives until here, so its port cannot be collected before the message arrives.
    channel.port1().set_onmessage(None);
}

async fn read_file(file: &web_sys::File, from: u64) -> Result<Vec<u8>, SourceError> {
    let err = |e: JsValue| SourceError::Network {
        url: file.name(),
        message: js_message(&e),
    };
    let blob: web_sys::Blob = if from > 0 {
        file.slice_with_f64(from as f64).map_err(err)?
    } else {
        file.clone().into()
    };
    let buf = JsFuture::from(blob.array_buffer()).await.map_err(err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

impl Source {
    /// Short text for the header: the host path or the folder name.
    pub fn label(&self) -> String {
        match self {
            Source::Http(h) => web_sys::Url::new_with_base(
                &h.base,
                &web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_default(),
            )
            .map(|u| format!("{}{}", u.host(), u.pathname()))
            .unwrap_or_else(|_| h.base.clone()),
            Source::Local(l) => format!("folder {}", l.label),
        }
    }

    /// Whether files can grow under us (a host being written to); opened folders are snapshots.
    pub fn is_live(&self) -> bool {
        matches!(self, Source::Http(_))
    }

    /// The manifest and the entries skipped while finding it.
    pub async fn manifest(&self) -> Result<(Manifest, Vec<String>), SourceError> {
        match self {
            Source::Http(h) => {
                let url = format!("{}{}", h.base, aspara::format::manifest::MANIFEST_FILE);
                let (status, bytes) = fetch(&url, None).await?;
                if status != 200 {
                    return Err(SourceError::Status { url, status });
                }
                let m: Manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| SourceError::Manifest(e.to_string()))?;
                if m.format != aspara::format::manifest::MANIFEST_FORMAT {
                    return Err(SourceError::Manifest(format!(
                        "format is '{}', expected '{}'",
                        m.format,
                        aspara::format::manifest::MANIFEST_FORMAT
                    )));
                }
                Ok((m, Vec::new()))
            }
            Source::Local(l) => Ok((l.discovery.manifest.clone(), l.discovery.skipped.clone())),
        }
    }

    /// A whole file.
    pub async fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        match self {
            Source::Http(h) => {
                let url = format!("{}{path}", h.base);
                let (status, bytes) = fetch(&url, None).await?;
                if status == 200 {
                    Ok(bytes)
                } else {
                    Err(SourceError::Status { url, status })
                }
            }
            Source::Local(l) => match l.files.get(path) {
                Some(f) => read_file(f, 0).await,
                None => Err(SourceError::Missing(path.to_owned())),
            },
        }
    }

    /// A whole file as a stream of pieces (HTTP), or in one piece (opened folder).
    pub async fn open(&self, path: &str) -> Result<ByteStream, SourceError> {
        match self {
            Source::Http(h) => {
                let url = format!("{}{path}", h.base);
                let resp = request(&url, None).await?;
                let status = resp.status();
                if status != 200 {
                    return Err(SourceError::Status { url, status });
                }
                let reader = resp.body().and_then(|b| {
                    b.get_reader()
                        .dyn_into::<web_sys::ReadableStreamDefaultReader>()
                        .ok()
                });
                match reader {
                    Some(reader) => Ok(ByteStream {
                        url,
                        reader: Some(reader),
                        whole: None,
                    }),
                    // No body stream (older browsers): read it whole.
                    None => {
                        let whole = self.read(path).await?;
                        Ok(ByteStream {
                            url,
                            reader: None,
                            whole: Some(whole),
                        })
                    }
                }
            }
            Source::Local(_) => Ok(ByteStream {
                url: path.to_owned(),
                reader: None,
                whole: Some(self.read(path).await?),
            }),
        }
    }

    /// The bytes from `offset` on: `Range: bytes=<offset>-`; a 200 answer is the whole file
    /// (`full`), a 416 means nothing new.
    pub async fn read_from(&self, path: &str, offset: u64) -> Result<Chunk, SourceError> {
        match self {
            Source::Http(h) => {
                let url = format!("{}{path}", h.base);
                let (status, bytes) = fetch(&url, Some(offset)).await?;
                match status {
                    206 => Ok(Chunk { bytes, full: false }),
                    200 => Ok(Chunk { bytes, full: true }),
                    416 => Ok(Chunk {
                        bytes: Vec::new(),
                        full: false,
                    }),
                    _ => Err(SourceError::Status { url, status }),
                }
            }
            Source::Local(l) => match l.files.get(path) {
                Some(f) => Ok(Chunk {
                    bytes: read_file(f, offset).await?,
                    full: offset == 0,
                }),
                None => Err(SourceError::Missing(path.to_owned())),
            },
        }
    }

    /// Whether the source has a file (always assumed for HTTP: the manifest lists what exists).
    pub fn has(&self, path: &str) -> bool {
        match self {
            Source::Http(_) => true,
            Source::Local(l) => l.files.contains_key(path),
        }
    }

    /// A URL for a file, for downloads: the host URL, or a fresh object URL of the local file.
    pub fn file_url(&self, path: &str) -> Option<String> {
        match self {
            Source::Http(h) => Some(format!("{}{path}", h.base)),
            Source::Local(l) => {
                let f = l.files.get(path)?;
                web_sys::Url::create_object_url_with_blob(f).ok()
            }
        }
    }
}

fn folder_from_pairs(pairs: JsValue, fallback_label: &str) -> Result<LocalFolder, String> {
    let arr: js_sys::Array = pairs
        .dyn_into()
        .map_err(|_| "the browser gave no file list".to_owned())?;
    let mut raw: Vec<(String, web_sys::File)> = Vec::new();
    for item in arr.iter() {
        let pair: js_sys::Array = item.unchecked_into();
        let path = pair.get(0).as_string().unwrap_or_default();
        if let Ok(file) = pair.get(1).dyn_into::<web_sys::File>() {
            raw.push((path.replace('\\', "/"), file));
        }
    }
    if raw.is_empty() {
        return Err("the folder is empty".into());
    }
    let paths: Vec<String> = raw.iter().map(|(p, _)| p.clone()).collect();
    let root = strip_common_root(&paths);
    let label = root.clone().unwrap_or_else(|| fallback_label.to_owned());
    let mut files = HashMap::new();
    let mut listed = Vec::new();
    for (p, f) in raw {
        let rel = match &root {
            Some(r) => p.strip_prefix(&format!("{r}/")).unwrap_or(&p).to_owned(),
            None => p,
        };
        listed.push(ListedFile {
            path: rel.clone(),
            size: f.size() as u64,
            mtime: f.last_modified() as i64,
        });
        files.insert(rel, f);
    }
    listed.sort_by(|a, b| a.path.cmp(&b.path));
    let discovery = discover(&listed, js_sys::Date::now() as i64);
    if discovery.manifest.projects.is_empty() {
        return Err(format!(
            "no Aspara projects in '{label}': pick the data directory (it holds one folder per project)"
        ));
    }
    Ok(LocalFolder {
        label,
        files,
        discovery,
    })
}

/// The folder chosen in an `<input type=file webkitdirectory>`.
pub fn folder_from_input(input: &web_sys::HtmlInputElement) -> Result<LocalFolder, String> {
    folder_from_pairs(input_files(input), "folder")
}

/// A folder dropped on the page.
pub async fn folder_from_drop(dt: &web_sys::DataTransfer) -> Result<LocalFolder, String> {
    let pairs = collect_dropped(dt).await.map_err(|e| js_message(&e))?;
    folder_from_pairs(pairs, "dropped folder")
}

/// A folder chosen with `showDirectoryPicker`.
pub async fn folder_from_picker() -> Result<LocalFolder, String> {
    let pairs = pick_directory().await.map_err(|e| js_message(&e))?;
    folder_from_pairs(pairs, "folder")
}
