# Schemathesis hooks for the clerk-emulator run (scripts/emulator-checks).
#
# `paginated=true` makes Clerk (and the emulator) wrap a list as {data, total_count}, which the
# spec does not describe: it documents only the bare array. The emulator's own tests check the
# envelope's items against the spec; here the parameter is dropped before each call so every
# response can be checked against the schema as written.
import schemathesis


@schemathesis.hook
def before_call(ctx, case, *args):
    if case.query:
        case.query.pop("paginated", None)
