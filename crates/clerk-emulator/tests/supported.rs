//! `SUPPORTED.md` is the generated coverage table; this test fails when it is out of date
//! (`CLERK_EMULATOR_BLESS=1` rewrites it).

#[test]
fn supported_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/SUPPORTED.md");
    let want = clerk_emulator::supported_markdown();
    if std::env::var_os("CLERK_EMULATOR_BLESS").is_some() {
        std::fs::write(path, &want).expect("write SUPPORTED.md");
    }
    let got = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        got == want,
        "SUPPORTED.md is out of date: run CLERK_EMULATOR_BLESS=1 cargo test -p clerk-emulator --test supported"
    );
    assert!(want.contains("| `users.list` | `GetUserList` | GET | `/users` | stateful |"));
    assert!(want.contains("not implemented (501)"));
}
