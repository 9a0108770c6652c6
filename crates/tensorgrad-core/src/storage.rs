//! Storage: a reference-counted buffer shared by a tensor and all of its views, plus the
//! version counter that in-place ops bump (saved tensors check it in backward). The buffer may
//! be held on an external device instead (see [`Storage`]).

use crate::dtype::DType;
use crate::kernels::provider::DeviceHandle;
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

/// A tensor's data, shared by the tensor and all of its views, with the version counter that
/// in-place ops bump (saved tensors check it in backward).
///
/// The data may live on the host, on an external device (a provider's [`DeviceHandle`], e.g. a
/// GPU texture), or both. A storage made from a device result holds only the handle; `read()`
/// downloads it on first access and keeps both copies (they agree until the next write);
/// `write()` drops the device copy, which is stale from then on. Dropping the storage drops the
/// handle, which frees the device memory. dtype and length are known without downloading.
pub struct Storage {
    /// `None` only while the data lives on the device alone.
    host: RefCell<Option<Buffer>>,
    device: RefCell<Option<DeviceHandle>>,
    dtype: DType,
    len: usize,
    version: Cell<u64>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("dtype", &self.dtype)
            .field("len", &self.len)
            .field("host", &self.has_host())
            .field("device", &self.is_resident())
            .field("version", &self.version.get())
            .finish()
    }
}

impl Storage {
    pub fn new(buf: Buffer) -> Self {
        Storage {
            dtype: buf.dtype(),
            len: buf.len(),
            host: RefCell::new(Some(buf)),
            device: RefCell::new(None),
            version: Cell::new(0),
        }
    }
    /// float32 data that lives on a provider's device only.
    pub fn from_device(handle: DeviceHandle) -> Self {
        Storage {
            dtype: DType::F32,
            len: handle.len(),
            host: RefCell::new(None),
            device: RefCell::new(Some(handle)),
            version: Cell::new(0),
        }
    }
    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The device copy, if there is a current one.
    pub fn device(&self) -> Option<DeviceHandle> {
        self.device.borrow().clone()
    }
    /// Whether a current device copy exists.
    pub fn is_resident(&self) -> bool {
        self.device.borrow().is_some()
    }
    /// Whether the host copy exists (false: reading will download).
    pub fn has_host(&self) -> bool {
        self.host.borrow().is_some()
    }
    /// Download a device-only storage into its host buffer (once).
    fn materialize(&self) {
        if self.host.borrow().is_some() {
            return;
        }
        let got = self.device.borrow().as_ref().and_then(|d| d.download());
        // A device that lost the data (a lost GPU context) cannot be read back; NaN makes the
        // loss visible instead of inventing values, and read() must not fail or panic.
        let v = match got {
            Some(v) if v.len() == self.len => v,
            _ => vec![f32::NAN; self.len],
        };
        *self.host.borrow_mut() = Some(Buffer::F32(v));
    }
    pub fn read(&self) -> Ref<'_, Buffer> {
        self.materialize();
        Ref::map(self.host.borrow(), |b| {
            b.as_ref().expect("materialize() leaves a host buffer")
        })
    }
    /// Mutable access for in-place ops; bumps the version counter and drops the device copy.
    pub fn write(&self) -> RefMut<'_, Buffer> {
        self.materialize();
        self.device.borrow_mut().take();
        self.version.set(self.version.get() + 1);
        RefMut::map(self.host.borrow_mut(), |b| {
            b.as_mut().expect("materialize() leaves a host buffer")
        })
    }
    pub fn version(&self) -> u64 {
        self.version.get()
    }
}
