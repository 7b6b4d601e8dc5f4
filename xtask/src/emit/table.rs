//! Printing the operations table (`operations.rs`): group, name, method and path of each.

use std::fmt::Write as _;

use crate::ir::Op;

/// Emit the operations table.
pub fn emit_table(ops: &[Op], out: &mut String) {
    out.push_str("//! Every operation of the API: group, name, method, path.\n\nuse crate::rt::OperationInfo;\n\n");
    for op in ops {
        let _ = writeln!(
            out,
            "/// `{} {}` ({}.{}).\npub const {}: OperationInfo = OperationInfo {{ group: {:?}, name: {:?}, operation_id: {:?}, method: {:?}, path: {:?}, deprecated: {}, authenticated: {} }};",
            op.method,
            op.path,
            op.group,
            op.fn_name,
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
        "\n/// All operations, in spec order.\npub static OPERATIONS: &[OperationInfo] = &[\n",
    );
    for op in ops {
        let _ = writeln!(out, "    {},", op.const_name);
    }
    out.push_str("];\n");
}
