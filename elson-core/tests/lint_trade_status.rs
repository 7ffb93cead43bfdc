//! A lint run as a test (issue 14 item 6): no code outside
//! `elson-core/src/accounting` sets a trade's status by hand. Every status
//! change goes through `accounting::next_status`, the one table of the
//! trade lifecycle (DESIGN §2), so a trade never reaches a state the table
//! does not have (an EXECUTED trade that never moved cash, a REJECTED one
//! revived).
//!
//! The test reads every Rust source of the workspace (all crates and
//! bindings, examples and benches; not the `tests/` folders, whose fixtures
//! build stored rows on purpose) and refuses:
//! - an assignment of a status constant, `x.status = TradeStatus::…`;
//! - a struct literal with a status other than the initial PENDING,
//!   `status: TradeStatus::Executed` (a trade is born PENDING in
//!   `Trade::new` and moves on through the lifecycle).
//!
//! Code that needs a new status asks `next_status(status, event)?` and
//! assigns its answer, as `Book::execute`, `Trade::cancel`, `Trade::reject`
//! and the families' rejections do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every `.rs` file under `dir`, skipping build output, hidden folders and
/// test folders.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let skip = name.starts_with('.')
                || name.starts_with("target")
                || name == "tests"
                || name == "node_modules";
            if !skip {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The offending lines of one file's text, as `(line number, line)`.
fn offending_lines(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let assigns = compact.contains("status=TradeStatus::")
            || compact.contains("status=elson_core::enums::TradeStatus::")
            || compact.contains("status=enums::TradeStatus::");
        let literal_final = ["Executed", "Cancelled", "Rejected"]
            .iter()
            .any(|s| compact.contains(&format!("status:TradeStatus::{s}")));
        if assigns || literal_final {
            found.push((i + 1, line.trim().to_string()));
        }
    }
    found
}

#[test]
fn the_lint_sees_what_it_should() {
    let bad = "    trade.status = TradeStatus::Executed;\n\
               let t = Trade { status: TradeStatus::Rejected, ..t };\n\
               t.status=TradeStatus::Cancelled;\n";
    assert_eq!(offending_lines(bad).len(), 3);
    let fine = "    // t.status = TradeStatus::Executed;\n\
                trade.status = plan.status;\n\
                status: TradeStatus::Pending,\n\
                if t.status == TradeStatus::Executed {}\n";
    assert!(offending_lines(fine).is_empty(), "{:?}", offending_lines(fine));
}

#[test]
fn no_trade_status_is_set_outside_the_lifecycle() {
    let root = workspace_root();
    let allowed = root.join("elson-core").join("src").join("accounting");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("elson-core/src/accounting/lifecycle.rs")),
        "the scan must see the workspace sources (root {})",
        root.display()
    );
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&allowed)) {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in offending_lines(&text) {
            let rel = file.strip_prefix(&root).unwrap_or(file);
            offenders.push(format!("{}:{n}: {line}", rel.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "a trade's status is set outside elson-core/src/accounting; use \
         accounting::next_status(status, event) and assign its answer:\n{}",
        offenders.join("\n")
    );
}
