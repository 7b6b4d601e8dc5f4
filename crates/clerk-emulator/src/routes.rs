//! Matching a request to one of the spec's operations, from the SDK's generated table.

use clerk_backend::operations::OPERATIONS;
use std::sync::OnceLock;

/// One operation of the spec, as the SDK's table lists it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    pub(crate) group: &'static str,
    pub(crate) name: &'static str,
    pub(crate) operation_id: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) authenticated: bool,
}

/// Every operation, in the spec's order.
pub(crate) fn operations() -> &'static [Op] {
    static OPS: OnceLock<Vec<Op>> = OnceLock::new();
    OPS.get_or_init(|| {
        OPERATIONS
            .iter()
            .map(|i| Op {
                group: i.group,
                name: i.name,
                operation_id: i.operation_id,
                method: i.method,
                path: i.path,
                authenticated: i.authenticated,
            })
            .collect()
    })
}

enum Seg {
    Lit(&'static str),
    Param(&'static str),
}

struct Route {
    info: &'static Op,
    segs: Vec<Seg>,
    literals: usize,
}

/// What a path resolved to.
pub(crate) enum Match {
    Op(&'static Op, Vec<(&'static str, String)>),
    /// The path exists, but not with this method.
    WrongMethod,
    NotFound,
}

fn table() -> &'static [Route] {
    static T: OnceLock<Vec<Route>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t: Vec<Route> = operations()
            .iter()
            .map(|info| {
                let segs: Vec<Seg> = info
                    .path
                    .trim_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(p) => Seg::Param(p),
                            None => Seg::Lit(s),
                        },
                    )
                    .collect();
                let literals = segs.iter().filter(|s| matches!(s, Seg::Lit(_))).count();
                Route {
                    info,
                    segs,
                    literals,
                }
            })
            .collect();
        // `/users/count` before `/users/{user_id}`: more literal segments win.
        t.sort_by_key(|r| std::cmp::Reverse(r.literals));
        t
    })
}

/// Resolve `method` + `path` (relative to `/v1`, percent-encoded).
pub(crate) fn resolve(method: &str, path: &str) -> Match {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut path_exists = false;
    for r in table() {
        if r.segs.len() != parts.len() {
            continue;
        }
        let mut params = Vec::new();
        let ok = r.segs.iter().zip(&parts).all(|(s, p)| match s {
            Seg::Lit(l) => l == p,
            Seg::Param(name) => {
                if p.is_empty() {
                    return false;
                }
                let v = percent_decode(p);
                params.push((*name, v));
                true
            }
        });
        if !ok {
            continue;
        }
        if r.info.method.eq_ignore_ascii_case(method) {
            return Match::Op(r.info, params);
        }
        path_exists = true;
    }
    if path_exists {
        Match::WrongMethod
    } else {
        Match::NotFound
    }
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        match resolve("GET", "/users/count") {
            Match::Op(i, p) => {
                assert_eq!((i.group, i.name), ("users", "count"));
                assert!(p.is_empty());
            }
            _ => panic!("no match"),
        }
        match resolve("GET", "/users/user_1") {
            Match::Op(i, p) => {
                assert_eq!((i.group, i.name), ("users", "get"));
                assert_eq!(p, vec![("user_id", "user_1".to_owned())]);
            }
            _ => panic!("no match"),
        }
        assert!(matches!(resolve("PUT", "/users/count"), Match::WrongMethod));
        assert!(matches!(resolve("GET", "/nope"), Match::NotFound));
    }

    #[test]
    fn every_operation_resolves_to_itself() {
        for info in operations() {
            let path = info
                .path
                .split('/')
                .map(|s| if s.starts_with('{') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            match resolve(info.method, &path) {
                Match::Op(got, _) => assert_eq!(
                    (got.method, got.path),
                    (info.method, info.path),
                    "{} {}",
                    info.method,
                    info.path
                ),
                _ => panic!("{} {} does not resolve", info.method, info.path),
            }
        }
    }
}
