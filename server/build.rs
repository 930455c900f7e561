//! Embeds the built site in `patrol`. end2end/build.sh writes it to
//! `$PATROL_SITE_DIR` (end2end/env.sh puts it in the target dir, outside the
//! clone, so a fresh clone's new mtimes do not make cargo run this script
//! again) or else `site/` at the workspace root; this script names every file by its content hash,
//! compresses it with gzip and brotli once, here, and writes `site.rs` into
//! OUT_DIR for `src/site/embedded.rs` to include. With `site/` empty (a fresh
//! clone, clippy, unit tests) nothing is embedded and `patrol` serves its
//! pages without scripts or styles unless given `--site-root`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Files the pages link to; a site without them is a broken build.
const REQUIRED: [&str; 3] = ["pkg/patrol.js", "pkg/patrol.wasm", "pkg/patrol.css"];
/// Leptos names the JS and the wasm from one stem, so they share one hash.
const BUNDLE: [&str; 2] = ["pkg/patrol.js", "pkg/patrol.wasm"];

struct File {
    rel: String,
    abs: PathBuf,
    bytes: Vec<u8>,
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-env-changed=PATROL_SITE_DIR");
    let site = match std::env::var_os("PATROL_SITE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => manifest.join("..").join("site"),
    };
    println!("cargo:rerun-if-changed={}", site.display());

    let mut files = Vec::new();
    collect(&site, &site, &mut files);
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let code = if files.is_empty() {
        println!(
            "cargo:warning=site/ is empty: this patrol carries no site and needs --site-root \
             (end2end/build.sh builds the site and embeds it)"
        );
        "pub static FILES: &[EmbeddedFile] = &[];\npub const OUTPUT_NAME: Option<&str> = None;\n"
            .to_owned()
    } else {
        embed(&files, &out)
    };
    std::fs::write(out.join("site.rs"), code).expect("write site.rs");
}

/// Every file under `dir`, skipping dot-files (site/.gitignore).
fn collect(root: &Path, dir: &Path, files: &mut Vec<File>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let entry = entry.expect("read site/");
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("under site/")
            .to_str()
            .unwrap_or_else(|| panic!("site/: file name is not UTF-8: {}", path.display()))
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        files.push(File {
            rel,
            abs: path,
            bytes,
        });
    }
}

fn embed(files: &[File], out: &Path) -> String {
    for need in REQUIRED {
        assert!(
            files.iter().any(|f| f.rel == need),
            "site/ has no {need}: run end2end/build.sh again, or empty site/ to build without a site"
        );
    }
    let bundle_hash = {
        let mut h = Sha256::new();
        for f in files.iter().filter(|f| BUNDLE.contains(&f.rel.as_str())) {
            h.update(Sha256::digest(&f.bytes));
        }
        short(&h.finalize())
    };
    let mut code = String::from("pub static FILES: &[EmbeddedFile] = &[\n");
    for (i, f) in files.iter().enumerate() {
        let hash = if BUNDLE.contains(&f.rel.as_str()) {
            bundle_hash.clone()
        } else {
            short(&Sha256::digest(&f.bytes))
        };
        let gzip = variant(out, i, "gz", &f.bytes, gzip(&f.bytes));
        let brotli = variant(out, i, "br", &f.bytes, brotli(&f.bytes));
        let _ = writeln!(
            code,
            "    EmbeddedFile {{ path: {:?}, hashed_path: {:?}, hash: {:?}, identity: include_bytes!({:?}), gzip: {gzip}, brotli: {brotli} }},",
            format!("/{}", f.rel),
            format!("/{}", hashed_name(&f.rel, &hash)),
            hash,
            f.abs.to_str().expect("UTF-8 path"),
        );
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "pub const OUTPUT_NAME: Option<&str> = Some({:?});",
        format!("patrol.{bundle_hash}")
    );
    code
}

/// `pkg/patrol.css` → `pkg/patrol.<hash>.css`.
fn hashed_name(rel: &str, hash: &str) -> String {
    let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
    let name = match name.split_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    };
    if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    }
}

/// 64 bits of the digest in hex: enough to never collide among a site's versions.
fn short(digest: &[u8]) -> String {
    hex::encode(&digest[..8])
}

/// Writes a compressed variant worth serving (a sixteenth smaller at least)
/// and returns the Rust expression for it.
fn variant(out: &Path, i: usize, ext: &str, plain: &[u8], packed: Vec<u8>) -> String {
    if packed.len() >= plain.len() - plain.len() / 16 {
        return "None".to_owned();
    }
    let path = out.join(format!("site-{i}.{ext}"));
    std::fs::write(&path, packed).expect("write compressed variant");
    format!(
        "Some(include_bytes!({:?}))",
        path.to_str().expect("UTF-8 path")
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut packed = Vec::new();
    {
        // Best quality, 4 MiB window: every browser decodes it.
        let mut enc = brotli::CompressorWriter::new(&mut packed, 64 * 1024, 11, 22);
        enc.write_all(bytes).expect("brotli in memory");
    }
    packed
}
