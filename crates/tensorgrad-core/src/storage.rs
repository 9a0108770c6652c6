//! Storage: a reference-counted buffer shared by a tensor and all of its views, plus the
//! version counter that in-place ops bump (saved tensors check it in backward).

use crate::dtype::DType;
use std::cell::{Cell, Ref, RefCell, RefMut};

#[derive(Clone, Debug)]
pub enum Buffer {
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

impl Buffer {
    pub fn dtype(&self) -> DType {
        match self {
            Buffer::F32(_) => DType::F32,
            Buffer::F64(_) => DType::F64,
            Buffer::Bool(_) => DType::Bool,
        }
    }
    pub fn len(&self) -> usize {
        match self {
            Buffer::F32(v) => v.len(),
            Buffer::F64(v) => v.len(),
            Buffer::Bool(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn zeros(dtype: DType, n: usize) -> Buffer {
        match dtype {
            DType::F32 => Buffer::F32(vec![0.0; n]),
            DType::F64 => Buffer::F64(vec![0.0; n]),
            DType::Bool => Buffer::Bool(vec![false; n]),
        }
    }
    /// Read element `i` as f64 (printing, item(), conversions).
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            Buffer::F32(v) => v[i] as f64,
            Buffer::F64(v) => v[i],
            Buffer::Bool(v) => v[i] as u8 as f64,
        }
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
