//! Printing the operations table (`operations.rs`): group, name, method and path of each.

use std::fmt::Write as _;

use crate::ir::Op;
use crate::passes::features::{Gates, Unit};

/// Emit the operations table: each entry is compiled with its group, and a constant the
/// hand-written SDK uses always.
pub fn emit_table(ops: &[Op], gates: &Gates, out: &mut String) {
    out.push_str("//! Every operation of the API: group, name, method, path.\n\nuse crate::rt::OperationInfo;\n\n");
    for op in ops {
        let _ = writeln!(
            out,
            "/// `{} {}` ({}.{}).\n{}pub const {}: OperationInfo = OperationInfo {{ group: {:?}, name: {:?}, operation_id: {:?}, method: {:?}, path: {:?}, deprecated: {}, authenticated: {} }};",
            op.method,
            op.path,
            op.group,
            op.fn_name,
            gates.operation_const(&op.group, &op.const_name).attr(),
            op.const_name,
            op.group,
            op.fn_name,
            op.operation_id,
            op.method,
            op.path,
            op.deprecated,
            op.authenticated
        );
    }
    out.push_str(
        "\n/// Every operation compiled in (those of the groups whose features are on), in spec order.\npub static OPERATIONS: &[OperationInfo] = &[\n",
    );
    for op in ops {
        let cfg = gates.unit(&Unit::Group(op.group.clone())).attr();
        let _ = writeln!(out, "    {cfg}{},", op.const_name);
    }
    out.push_str("];\n");
}
