//! (placeholder: this op family is being filled in)

use super::registry::OpSpec;

pub(crate) fn specs() -> Vec<OpSpec> {
    vec![]
}
