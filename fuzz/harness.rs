//! The fuzz harness of the workspace's fuzz tests, shared by file (`#[path]`) so that each crate's
//! tests use it without a crate of their own.
//!
//! This toolchain is stable Rust only: `cargo fuzz` needs nightly (`-Zsanitizer`), so the targets
//! are proptest-driven tests that `cargo test`/`nextest` run. A target is a function over bytes
//! that must never panic (and checks whatever else it states). [`fuzz`] runs it over
//!
//! 1. every file of the target's committed corpus, `fuzz/corpus/<target>/` (seeds and every
//!    crash ever found, which so stay regression tests), and the seeds the test passes;
//! 2. then `MEDAID_FUZZ_CASES` (default 256) generated inputs: mostly corpus entries with a few
//!    bytes overwritten, inserted, deleted or duplicated, some random bytes. The generator is
//!    seeded the same on every run (a CI run is reproducible) unless `MEDAID_FUZZ_RANDOM=1`.
//!
//! A failing input is shrunk by proptest and reported in hex; with `MEDAID_FUZZ_SAVE=1` it is
//! written to the corpus as `crash-<hash>`, to be committed with its fix.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

/// The committed corpus directory of `target`.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR")))
        .ancestors()
        .find(|dir| dir.join("fuzz/corpus").is_dir())
        .expect("the workspace's fuzz/corpus directory")
        .join("fuzz/corpus")
        .join(target)
}

/// Every file of the target's corpus, sorted by name.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    // Every target has a committed corpus: a missing or empty one would make the target run only
    // generated inputs without anyone noticing, so it fails instead.
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz corpus {} must be committed: {e}", dir.display()));
    let mut out: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("a corpus file"))
        })
        .collect();
    assert!(
        !out.is_empty(),
        "the fuzz corpus {} is empty",
        dir.display()
    );
    out.sort();
    out
}

/// How many generated inputs each target runs (`MEDAID_FUZZ_CASES`, default 256).
pub fn cases() -> u32 {
    std::env::var("MEDAID_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// One edit of a corpus entry: overwrite, insert, delete or duplicate at a position.
fn edit(input: &mut Vec<u8>, (at, byte, kind): (prop::sample::Index, u8, u8)) {
    if input.is_empty() {
        input.push(byte);
        return;
    }
    let i = at.index(input.len());
    match kind {
        0 => input[i] = byte,
        1 => input.insert(i, byte),
        2 => {
            input.remove(i);
        }
        _ => {
            let end = (i + usize::from(byte % 16) + 1).min(input.len());
            let chunk = input[i..end].to_vec();
            input.splice(i..i, chunk);
        }
    }
}

/// A short stable hash for crash file names (FNV-1a).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `check` over the corpus of `target`, `seeds`, and generated inputs; see the module doc.
pub fn fuzz(target: &str, seeds: Vec<Vec<u8>>, check: impl Fn(&[u8])) {
    let mut bases: Vec<Vec<u8>> = seeds;
    for (name, input) in corpus(target) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input)));
        assert!(
            outcome.is_ok(),
            "fuzz target {target}: corpus file {name} fails"
        );
        bases.push(input);
    }
    for input in &bases {
        check(input);
    }
    if bases.is_empty() {
        bases.push(Vec::new());
    }
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8);
    let mutated = (prop::sample::select(bases), edits).prop_map(|(mut input, edits)| {
        for e in edits {
            edit(&mut input, e);
        }
        input
    });
    let strategy = prop_oneof![
        4 => mutated,
        1 => prop::collection::vec(any::<u8>(), 0..512),
    ];
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    // Deterministic by default, so that a CI run is reproducible; MEDAID_FUZZ_RANDOM=1 explores
    // new inputs on every run (longer local campaigns).
    let mut runner = if std::env::var_os("MEDAID_FUZZ_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    };
    let result = runner.run(&strategy, |input| {
        check(&input);
        Ok(())
    });
    if let Err(TestError::Fail(reason, input)) = result {
        let mut saved = String::new();
        if std::env::var_os("MEDAID_FUZZ_SAVE").is_some() {
            let path = corpus_dir(target).join(format!("crash-{:016x}", fnv(&input)));
            std::fs::create_dir_all(corpus_dir(target)).expect("the corpus directory");
            std::fs::write(&path, &input).expect("the crash file");
            saved = format!("; saved as {}", path.display());
        }
        panic!(
            "fuzz target {target} fails on {} ({reason}){saved}",
            input.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
    }
}
