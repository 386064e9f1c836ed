//! The dashboard's entry point: on wasm32 it mounts the Yew app into `<body>`; a native build of
//! the binary does nothing (the crate builds natively only so its pure modules are tested).

fn main() {
    #[cfg(target_arch = "wasm32")]
    aspara_dashboard::start();
}
