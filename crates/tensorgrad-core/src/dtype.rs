//! Element types. float32 is the default, as in PyTorch.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    F32,
    F64,
    /// IEEE half precision (16-bit storage, float32 arithmetic).
    F16,
    /// bfloat16 (16-bit storage, float32 arithmetic).
    BF16,
    I32,
    /// Indices (argmax, nonzero, index tensors), as PyTorch's `long`.
    I64,
    /// Masks produced by comparisons; not differentiable.
    Bool,
}

impl DType {
    /// PyTorch's name without the `torch.` prefix.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::Bool => "bool",
        }
    }

    pub fn parse(s: &str) -> Option<DType> {
        match s.strip_prefix("torch.").unwrap_or(s) {
            "float32" | "float" => Some(DType::F32),
            "float64" | "double" => Some(DType::F64),
            "float16" | "half" => Some(DType::F16),
            "bfloat16" => Some(DType::BF16),
            "int32" | "int" => Some(DType::I32),
            "int64" | "long" => Some(DType::I64),
            "bool" => Some(DType::Bool),
            _ => None,
        }
    }

    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::F32 | DType::F64 | DType::F16 | DType::BF16)
    }

    pub fn size_in_bytes(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
            DType::F16 | DType::BF16 => 2,
            DType::I32 => 4,
            DType::I64 => 8,
            DType::Bool => 1,
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(self, DType::I32 | DType::I64)
    }

    /// Type promotion between two tensor operands (PyTorch's rules for the dtypes we have):
    /// float beats integer beats bool; within a category the wider type wins.
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        match (a, b) {
            (F64, _) | (_, F64) => F64,
            (F32, _) | (_, F32) => F32,
            (F16, BF16) | (BF16, F16) => F32,
            (F16, _) | (_, F16) => F16,
            (BF16, _) | (_, BF16) => BF16,
            (I64, _) | (_, I64) => I64,
            (I32, _) | (_, I32) => I32,
            (Bool, Bool) => Bool,
        }
    }
}

/// PyTorch's `result_type` for tensor operands: dimensioned tensors decide within a category;
/// a 0-dim tensor only matters when its category is higher (`float32[n] * float64[]` stays
/// float32, `int64[n] * float64[]` is float64). `combine_categories` in ATen's TypeProperties.
pub fn result_type(operands: &[(DType, usize)]) -> DType {
    let fold = |zero_dim: bool| {
        operands
            .iter()
            .filter(|(_, nd)| (*nd == 0) == zero_dim)
            .map(|(d, _)| *d)
            .reduce(DType::promote)
    };
    match (fold(false), fold(true)) {
        (Some(dim), Some(zero)) => {
            if dim.is_floating_point() {
                dim
            } else if dim == DType::Bool || zero.is_floating_point() {
                DType::promote(dim, zero)
            } else {
                dim
            }
        }
        (Some(d), None) | (None, Some(d)) => d,
        (None, None) => DType::F32,
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "torch.{}", self.name())
    }
}
