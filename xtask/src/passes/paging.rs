//! Which operations page, and how: `Page<T>` outputs for `paginated=true` lists, and the
//! offset/limit paging of list operations.

use crate::ir::{Field, Ir, Kind, Output, Paging, Ty};

/// `paginated=true` wraps a bare list in `{data, total_count}`: such outputs decode both
/// shapes. Then fill in `paging` for list operations (limit + offset) whose output is a list.
pub fn detect(ir: &mut Ir) {
    let mut ops = std::mem::take(&mut ir.ops);
    for op in &mut ops {
        if !op.query.iter().any(|p| p.json == "paginated") {
            continue;
        }
        let Output::Json(ty) = &op.output else {
            continue;
        };
        if let Ty::Vec(item) = ir.resolve_alias(ty) {
            op.output = Output::Json(Ty::Page(item));
        }
    }
    for op in &mut ops {
        let has = |n: &str| op.query.iter().any(|p| p.json == n);
        if !(has("limit") && has("offset")) {
            continue;
        }
        let Output::Json(ty) = &op.output else {
            continue;
        };
        op.paging = match ir.resolve_alias(ty) {
            Ty::Page(item) => Some(Paging {
                item: *item,
                data: Some(("data".into(), false)),
                total_is_float: false,
            }),
            Ty::Vec(item) => Some(Paging {
                item: *item,
                data: None,
                total_is_float: false,
            }),
            Ty::Named(id) => match &ir.get(id).kind {
                // `{<items>: [...], total_count}`: the one required array field holds the items
                // (`data` almost everywhere, `m2m_tokens` in one place).
                Kind::Struct { fields } => {
                    let total = fields.iter().find(|f| f.json == "total_count");
                    let arrays: Vec<(&Field, Ty)> = fields
                        .iter()
                        .filter(|f| f.required && !f.nullable)
                        .filter_map(|f| match ir.resolve_alias(&f.ty) {
                            Ty::Vec(item) => Some((f, *item)),
                            _ => None,
                        })
                        .collect();
                    match (arrays.as_slice(), total) {
                        ([(field, item)], Some(t)) => Some(Paging {
                            item: item.clone(),
                            data: Some((field.rust.clone(), t.required && !t.nullable)),
                            total_is_float: t.ty == Ty::F64,
                        }),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        };
    }
    ir.ops = ops;
}
