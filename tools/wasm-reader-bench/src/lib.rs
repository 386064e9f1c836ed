//! Wasm entry points for timing `aspara::format::reader::Decoder` in node: the bytes are copied into
//! wasm memory once ([`load`]), then [`decode`] reads them in pieces, as the dashboard's store feeds a
//! streamed file, so the timed call is the decoder alone.

use aspara::format::reader::Decoder;
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `bytes` for the following [`decode`] calls.
#[wasm_bindgen]
pub fn load(bytes: Vec<u8>) {
    BYTES.with(|b| *b.borrow_mut() = bytes);
}

/// Decodes the loaded bytes, pushed `piece` bytes at a time (0: one push), telling the decoder the
/// total length first when `hint` (as the dashboard does); returns the number of points read over
/// all metrics, so the work cannot be optimised away and the caller can check it.
#[wasm_bindgen]
pub fn decode(piece: usize, hint: bool) -> f64 {
    BYTES.with(|b| {
        let bytes = b.borrow();
        let mut d = Decoder::new();
        if hint {
            d.size_hint(bytes.len() as u64);
        }
        if piece == 0 {
            d.push(&bytes);
        } else {
            for part in bytes.chunks(piece) {
                d.push(part);
            }
        }
        let data = d.finish();
        data.metrics.iter().map(|c| c.len() as f64).sum()
    })
}

/// Allocates, touches and frees `mb` MiB, so the next decode finds wasm memory already grown.
#[wasm_bindgen]
pub fn pregrow(mb: usize) -> u8 {
    let v = vec![1u8; mb << 20];
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The size of wasm linear memory in bytes (what the decoder's allocations grew it to).
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Allocates and frees `mb` MiB without touching it: grows wasm memory, leaves the pages untouched.
#[wasm_bindgen]
pub fn pregrow_untouched(mb: usize) -> f64 {
    let v: Vec<u8> = Vec::with_capacity(mb << 20);
    v.capacity() as f64
}
