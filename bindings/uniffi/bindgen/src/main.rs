//! `uniffi-bindgen`: generates the Kotlin and Swift sources of `elson_ffi`
//! from the built cdylib (library mode). It lives in the workspace so that the
//! generator is always the same uniffi version as the library it reads.

fn main() {
    uniffi::uniffi_bindgen_main()
}
