//! `uniffi-bindgen`: generates the foreign-language sources from the built library
//! (`uniffi-bindgen generate --library target/.../libupbond_bindings.so --language python`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
