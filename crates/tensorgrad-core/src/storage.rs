//! Storage: a reference-counted buffer shared by a tensor and all of its views, plus the
//! version counter that in-place ops bump (saved tensors check it in backward).

use crate::dtype::DType;
use std::cell::{Cell, Ref, RefCell, RefMut};

#[derive(Clone, Debug)]
pub enum Buffer {
    F32(Vec<f32>),
    F64(Vec<f64>),
    F16(Vec<crate::half::F16>),
    BF16(Vec<crate::half::BF16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

/// Evaluate `$body` with `$v` bound to the typed vector inside a buffer (any dtype).
#[macro_export]
#[doc(hidden)]
macro_rules! with_buffer {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            $crate::storage::Buffer::F32($v) => $body,
            $crate::storage::Buffer::F64($v) => $body,
            $crate::storage::Buffer::F16($v) => $body,
            $crate::storage::Buffer::BF16($v) => $body,
            $crate::storage::Buffer::I32($v) => $body,
            $crate::storage::Buffer::I64($v) => $body,
            $crate::storage::Buffer::Bool($v) => $body,
        }
    };
}

/// Build a buffer of the same dtype as `$buf` from `$body` (a Vec of the same element type).
#[macro_export]
#[doc(hidden)]
macro_rules! map_buffer {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            $crate::storage::Buffer::F32($v) => $crate::storage::Buffer::F32($body),
            $crate::storage::Buffer::F64($v) => $crate::storage::Buffer::F64($body),
            $crate::storage::Buffer::F16($v) => $crate::storage::Buffer::F16($body),
            $crate::storage::Buffer::BF16($v) => $crate::storage::Buffer::BF16($body),
            $crate::storage::Buffer::I32($v) => $crate::storage::Buffer::I32($body),
            $crate::storage::Buffer::I64($v) => $crate::storage::Buffer::I64($body),
            $crate::storage::Buffer::Bool($v) => $crate::storage::Buffer::Bool($body),
        }
    };
}

impl Buffer {
    pub fn dtype(&self) -> DType {
        match self {
            Buffer::F32(_) => DType::F32,
            Buffer::F64(_) => DType::F64,
            Buffer::F16(_) => DType::F16,
            Buffer::BF16(_) => DType::BF16,
            Buffer::I32(_) => DType::I32,
            Buffer::I64(_) => DType::I64,
            Buffer::Bool(_) => DType::Bool,
        }
    }
    pub fn len(&self) -> usize {
        with_buffer!(self, v => v.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// `n` copies of `v` converted to `dtype`.
    pub fn filled(dtype: DType, n: usize, v: f64) -> Buffer {
        match dtype {
            DType::F32 => Buffer::F32(vec![v as f32; n]),
            DType::F64 => Buffer::F64(vec![v; n]),
            DType::F16 => Buffer::F16(vec![crate::half::F16::from_f32(v as f32); n]),
            DType::BF16 => Buffer::BF16(vec![crate::half::BF16::from_f32(v as f32); n]),
            DType::I32 => Buffer::I32(vec![v as i32; n]),
            DType::I64 => Buffer::I64(vec![v as i64; n]),
            DType::Bool => Buffer::Bool(vec![v != 0.0; n]),
        }
    }
    /// Values converted from f64 into `dtype`.
    pub fn from_f64s(dtype: DType, v: &[f64]) -> Buffer {
        use crate::element::Element;
        match dtype {
            DType::F32 => Buffer::F32(v.iter().map(|&x| f32::from_f64(x)).collect()),
            DType::F64 => Buffer::F64(v.to_vec()),
            DType::F16 => Buffer::F16(v.iter().map(|&x| crate::half::F16::from_f64(x)).collect()),
            DType::BF16 => {
                Buffer::BF16(v.iter().map(|&x| crate::half::BF16::from_f64(x)).collect())
            }
            DType::I32 => Buffer::I32(v.iter().map(|&x| i32::from_f64(x)).collect()),
            DType::I64 => Buffer::I64(v.iter().map(|&x| i64::from_f64(x)).collect()),
            DType::Bool => Buffer::Bool(v.iter().map(|&x| bool::from_f64(x)).collect()),
        }
    }
    /// Read element `i` as f64 (printing, item(), conversions).
    pub fn get_f64(&self, i: usize) -> f64 {
        use crate::element::Element;
        with_buffer!(self, v => v[i].to_f64())
    }
}

#[derive(Debug)]
pub struct Storage {
    buf: RefCell<Buffer>,
    version: Cell<u64>,
}

impl Storage {
    pub fn new(buf: Buffer) -> Self {
        Storage {
            buf: RefCell::new(buf),
            version: Cell::new(0),
        }
    }
    pub fn dtype(&self) -> DType {
        self.buf.borrow().dtype()
    }
    pub fn len(&self) -> usize {
        self.buf.borrow().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn read(&self) -> Ref<'_, Buffer> {
        self.buf.borrow()
    }
    /// Mutable access for in-place ops; bumps the version counter.
    pub fn write(&self) -> RefMut<'_, Buffer> {
        self.version.set(self.version.get() + 1);
        self.buf.borrow_mut()
    }
    pub fn version(&self) -> u64 {
        self.version.get()
    }
}
