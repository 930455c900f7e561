//! Line diffs between two versions of a value.

use serde::{Deserialize, Serialize};

/// How a line differs between the old and the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// In both texts.
    Same,
    /// Only in the new text.
    Added,
    /// Only in the old text.
    Removed,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub change: Change,
    /// The line, without its `\n`.
    pub text: String,
}

/// Most old × new lines compared one with another; beyond it the lines
/// left after the common start and end are shown as all removed, then all
/// added. Also keeps every LCS length below 2000, so a `u16` holds it.
const MAX_CELLS: usize = 4_000_000;

/// Diffs `old` against `new` line by line (split at `\n`), with as few
/// added and removed lines as possible. The `Same` and `Added` lines joined
/// with `\n` give `new`; `Same` and `Removed` give `old`.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let (old, new) = (lines(old), lines(new));
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old.iter().rev().zip(new.iter().rev());
    // The common end may not reach back into the common start.
    let tail = tail
        .take(old.len().min(new.len()) - head)
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = old.get(head..old.len() - tail).unwrap_or_default();
    let new_mid = new.get(head..new.len() - tail).unwrap_or_default();

    let mut out = Vec::with_capacity(old.len().max(new.len()));
    let mut emit = |change, lines: &[&str]| {
        out.extend(lines.iter().map(|text| DiffLine {
            change,
            text: text.to_string(),
        }));
    };
    emit(Change::Same, old.get(..head).unwrap_or_default());
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_CELLS {
        emit(Change::Removed, old_mid);
        emit(Change::Added, new_mid);
    } else {
        for (change, text) in middle(old_mid, new_mid) {
            emit(change, &[text]);
        }
    }
    emit(
        Change::Same,
        old.get(old.len() - tail..).unwrap_or_default(),
    );
    out
}

/// The text's lines; an empty text has none.
fn lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n').collect()
    }
}

/// A minimal diff by longest common subsequence. `lcs[i][j]` is the LCS
/// length of `old[i..]` and `new[j..]`, so the walk from the start can pick
/// each step greedily; it removes before it adds.
fn middle<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Change, &'a str)> {
    let width = new.len() + 1;
    let mut lcs = vec![0u16; (old.len() + 1) * width];
    let at = |lcs: &[u16], i: usize, j: usize| lcs.get(i * width + j).copied().unwrap_or(0);
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            let len = if old.get(i) == new.get(j) {
                at(&lcs, i + 1, j + 1).saturating_add(1)
            } else {
                at(&lcs, i + 1, j).max(at(&lcs, i, j + 1))
            };
            if let Some(cell) = lcs.get_mut(i * width + j) {
                *cell = len;
            }
        }
    }
    let mut out = Vec::with_capacity(old.len() + new.len());
    let (mut i, mut j) = (0, 0);
    loop {
        match (old.get(i), new.get(j)) {
            (Some(&a), Some(&b)) if a == b => {
                out.push((Change::Same, a));
                (i, j) = (i + 1, j + 1);
            }
            (Some(&a), Some(_)) if at(&lcs, i + 1, j) >= at(&lcs, i, j + 1) => {
                out.push((Change::Removed, a));
                i += 1;
            }
            (Some(&a), None) => {
                out.push((Change::Removed, a));
                i += 1;
            }
            (_, Some(&b)) => {
                out.push((Change::Added, b));
                j += 1;
            }
            (None, None) => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Change::{Added, Removed, Same};

    fn diff(old: &str, new: &str) -> Vec<(Change, String)> {
        let lines = line_diff(old, new);
        let side = |skip| {
            let kept: Vec<&str> = lines
                .iter()
                .filter(|l| l.change != skip)
                .map(|l| l.text.as_str())
                .collect();
            kept.join("\n")
        };
        assert_eq!(side(Removed), new, "Same + Added must give the new text");
        assert_eq!(side(Added), old, "Same + Removed must give the old text");
        lines.into_iter().map(|l| (l.change, l.text)).collect()
    }

    fn expect(lines: &[(Change, &str)]) -> Vec<(Change, String)> {
        lines.iter().map(|&(c, t)| (c, t.to_string())).collect()
    }

    /// A diff's expected lines.
    type Lines<'a> = &'a [(Change, &'a str)];

    /// Each `(old, new, lines)`: the diff of old to new is those lines.
    fn check(cases: &[(&str, &str, Lines)]) {
        for (old, new, lines) in cases {
            assert_eq!(diff(old, new), expect(lines), "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn identical_texts_are_all_same() {
        check(&[
            ("a\nb", "a\nb", &[(Same, "a"), (Same, "b")]),
            ("a\n", "a\n", &[(Same, "a"), (Same, "")]),
            ("", "", &[]),
        ]);
    }

    #[test]
    fn additions_and_removals() {
        check(&[
            ("a\nc", "a\nb\nc", &[(Same, "a"), (Added, "b"), (Same, "c")]),
            (
                "a\nb\nc",
                "a\nc",
                &[(Same, "a"), (Removed, "b"), (Same, "c")],
            ),
            ("", "x\ny", &[(Added, "x"), (Added, "y")]),
            ("x\ny", "", &[(Removed, "x"), (Removed, "y")]),
            ("a", "a\n", &[(Same, "a"), (Added, "")]),
        ]);
    }

    #[test]
    fn repeated_lines_are_not_counted_twice() {
        check(&[
            (
                "a\na\na",
                "a\na",
                &[(Same, "a"), (Same, "a"), (Removed, "a")],
            ),
            ("a", "a\na\na", &[(Same, "a"), (Added, "a"), (Added, "a")]),
        ]);
    }

    #[test]
    fn random_texts_round_trip() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut text = || {
            let mut lines = Vec::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for shift in 0..state % 12 {
                lines.push(["a", "b", "c", ""][(state >> (shift * 2 + 8)) as usize % 4]);
            }
            lines.join("\n")
        };
        for _ in 0..500 {
            diff(&text(), &text()); // asserts both sides rebuild
        }
    }

    #[test]
    fn a_changed_line_is_removed_then_added() {
        let old = "{\n  \"role\": \"replica\",\n  \"timeline\": 1\n}";
        let new = "{\n  \"role\": \"primary\",\n  \"timeline\": 1\n}";
        let lines = diff(old, new);
        let changed: Vec<_> = lines.iter().filter(|(c, _)| *c != Same).collect();
        assert_eq!(
            changed,
            [
                &(Removed, "  \"role\": \"replica\",".into()),
                &(Added, "  \"role\": \"primary\",".into())
            ]
        );
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn diffs_are_minimal() {
        let lines = diff("a\nb\nc\nd\ne\nf", "b\nc\nx\ne\nf\ng");
        let count = |c| lines.iter().filter(|l| l.0 == c).count();
        assert_eq!((count(Same), count(Removed), count(Added)), (4, 2, 2));
        assert_eq!(lines.first(), Some(&(Removed, "a".into())));
    }

    #[test]
    fn large_inputs_stay_bounded() {
        let text = |tag: &str, n: usize| {
            (0..n)
                .map(|i| format!("{tag}{i}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        // Unrelated texts too big to compare: all removed, then all added.
        let lines = diff(&text("old", 5000), &text("new", 5000));
        assert!(lines.iter().take(5000).all(|l| l.0 == Removed));
        assert!(lines.iter().skip(5000).all(|l| l.0 == Added));
        // A big text with one change: trimming leaves a single line to compare.
        let old = text("line", 50_000);
        let new = old.replacen("line25000\n", "changed\n", 1);
        let lines = diff(&old, &new);
        let changed: Vec<_> = lines.iter().filter(|l| l.0 != Same).collect();
        assert_eq!(
            changed,
            [&(Removed, "line25000".into()), &(Added, "changed".into())]
        );
    }
}
