//! A small line diff (longest common subsequence) for `cargo xtask codegen --check`.

/// Unified-diff lines (`---`/`+++` header, `@@` hunks with `context` lines around changes).
pub fn unified(old: &str, new: &str, name: &str, context: usize) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Trim the common prefix and suffix so the quadratic table only covers the changed middle.
    let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<(char, usize, usize)> = (0..pre).map(|i| (' ', i, i)).collect();
    if am.len().saturating_mul(bm.len()) > 25_000_000 {
        // Too large for the table: show it as a replacement.
        ops.extend((0..am.len()).map(|i| ('-', pre + i, 0)));
        ops.extend((0..bm.len()).map(|j| ('+', 0, pre + j)));
    } else {
        let mut lcs = vec![vec![0u32; bm.len() + 1]; am.len() + 1];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                lcs[i][j] = if am[i] == bm[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            if i < am.len() && j < bm.len() && am[i] == bm[j] {
                ops.push((' ', pre + i, pre + j));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
                ops.push(('-', pre + i, 0));
                i += 1;
            } else {
                ops.push(('+', 0, pre + j));
                j += 1;
            }
        }
    }
    ops.extend((0..suf).map(|k| (' ', a.len() - suf + k, b.len() - suf + k)));
    let mut out = vec![
        format!("--- {name} (committed)"),
        format!("+++ {name} (regenerated)"),
    ];
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(context);
        let mut end = changed[k] + context + 1;
        while k + 1 < changed.len() && changed[k + 1] <= end + context {
            k += 1;
            end = changed[k] + context + 1;
        }
        let end = end.min(ops.len());
        out.push(format!("@@ line {} @@", ops[start].1 + 1));
        for &(tag, i, j) in &ops[start..end] {
            let text = if tag == '+' { b[j] } else { a[i] };
            out.push(format!("{tag}{text}"));
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn shows_changed_lines_with_context() {
        let d = unified("a\nb\nc\nd\n", "a\nB\nc\nd\n", "f.rs", 1);
        assert_eq!(d[2..], ["@@ line 1 @@", " a", "-b", "+B", " c"]);
    }

    #[test]
    fn identical_files_have_no_hunks() {
        assert_eq!(unified("x\ny\n", "x\ny\n", "f", 3).len(), 2);
    }

    #[test]
    fn added_and_removed_files() {
        let d = unified("", "new\n", "f", 3);
        assert_eq!(d[2..], ["@@ line 1 @@", "+new"]);
        let d = unified("old\n", "", "f", 3);
        assert_eq!(d[2..], ["@@ line 1 @@", "-old"]);
    }
}
