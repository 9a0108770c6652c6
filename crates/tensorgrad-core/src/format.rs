//! Printing exactly like PyTorch's `torch._tensor_str` (precision 4, threshold 1000,
//! edgeitems 3, linewidth 80): `tensor([5.])`, `tensor(25., grad_fn=<MulBackward0>)`.

use crate::dtype::DType;
use crate::tensor::Tensor;

const PRECISION: usize = 4;
const THRESHOLD: usize = 1000;
const EDGEITEMS: usize = 3;
const LINEWIDTH: usize = 80;

/// Python's `f"{v:.{p}f}"`.
fn py_fixed(v: f64, p: usize) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    format!("{:.*}", p, v)
}

/// Python's `f"{v:.{p}e}"`: mantissa with `p` decimals, exponent signed with 2+ digits.
fn py_sci(v: f64, p: usize) -> String {
    if !v.is_finite() {
        return py_fixed(v, p);
    }
    let s = format!("{:.*e}", p, v);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    format!("{}e{}{:02}", mant, if e < 0 { '-' } else { '+' }, e.abs())
}

struct Formatter {
    floating: bool,
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
}

impl Formatter {
    fn new(values: &[f64], dtype: DType) -> Formatter {
        let mut f = Formatter {
            floating: dtype.is_floating_point(),
            int_mode: true,
            sci_mode: false,
            max_width: 1,
        };
        if !f.floating {
            for &v in values {
                f.max_width = f.max_width.max(format_bool_or_int(v, dtype).len());
            }
            return f;
        }
        let nz: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v != 0.0)
            .collect();
        if nz.is_empty() {
            return f;
        }
        let abs_min = nz.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
        let abs_max = nz.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        f.int_mode = nz.iter().all(|v| *v == v.ceil());
        if f.int_mode {
            if abs_max / abs_min > 1000.0 || abs_max > 1.0e8 {
                f.sci_mode = true;
                for &v in &nz {
                    f.max_width = f.max_width.max(py_sci(v, PRECISION).len());
                }
            } else {
                for &v in &nz {
                    f.max_width = f.max_width.max(py_fixed(v, 0).len() + 1);
                }
            }
        } else if abs_max / abs_min > 1000.0 || abs_max > 1.0e8 || abs_min < 1.0e-4 {
            f.sci_mode = true;
            for &v in &nz {
                f.max_width = f.max_width.max(py_sci(v, PRECISION).len());
            }
        } else {
            for &v in &nz {
                f.max_width = f.max_width.max(py_fixed(v, PRECISION).len());
            }
        }
        f
    }

    fn format(&self, v: f64, dtype: DType) -> String {
        let s = if self.floating {
            if self.sci_mode {
                py_sci(v, PRECISION)
            } else if self.int_mode {
                let mut s = py_fixed(v, 0);
                if v.is_finite() {
                    s.push('.');
                }
                s
            } else {
                py_fixed(v, PRECISION)
            }
        } else {
            format_bool_or_int(v, dtype)
        };
        format!("{:>width$}", s, width = self.max_width)
    }
}

fn format_bool_or_int(v: f64, dtype: DType) -> String {
    match dtype {
        DType::Bool => (if v != 0.0 { "True" } else { "False" }).into(),
        _ => format!("{}", v as i64),
    }
}

/// Values the formatter looks at when summarising: the first and last EDGEITEMS along
/// every dim that is longer than 2*EDGEITEMS.
fn summarized(data: &[f64], shape: &[usize]) -> Vec<f64> {
    if shape.is_empty() {
        return data.to_vec();
    }
    let inner: usize = shape[1..].iter().product();
    let n = shape[0];
    let idx: Vec<usize> = if n > 2 * EDGEITEMS {
        (0..EDGEITEMS).chain(n - EDGEITEMS..n).collect()
    } else {
        (0..n).collect()
    };
    idx.into_iter()
        .flat_map(|i| summarized(&data[i * inner..(i + 1) * inner], &shape[1..]))
        .collect()
}

fn vector_str(data: &[f64], indent: usize, summarize: bool, f: &Formatter, dtype: DType) -> String {
    let element_length = f.max_width + 2;
    let per_line = ((LINEWIDTH.saturating_sub(indent)) / element_length).max(1);
    let n = data.len();
    let items: Vec<String> = if summarize && n > 2 * EDGEITEMS {
        let mut v: Vec<String> = data[..EDGEITEMS]
            .iter()
            .map(|&x| f.format(x, dtype))
            .collect();
        v.push(" ...".into());
        v.extend(data[n - EDGEITEMS..].iter().map(|&x| f.format(x, dtype)));
        v
    } else {
        data.iter().map(|&x| f.format(x, dtype)).collect()
    };
    let lines: Vec<String> = items.chunks(per_line).map(|c| c.join(", ")).collect();
    format!(
        "[{}]",
        lines.join(&format!(",\n{}", " ".repeat(indent + 1)))
    )
}

fn tensor_str(
    data: &[f64],
    shape: &[usize],
    indent: usize,
    summarize: bool,
    f: &Formatter,
    dtype: DType,
) -> String {
    match shape.len() {
        0 => f.format(data[0], dtype),
        1 => vector_str(data, indent, summarize, f, dtype),
        nd => {
            let n = shape[0];
            let inner: usize = shape[1..].iter().product();
            let sub = |i: usize| {
                tensor_str(
                    &data[i * inner..(i + 1) * inner],
                    &shape[1..],
                    indent + 1,
                    summarize,
                    f,
                    dtype,
                )
            };
            let slices: Vec<String> = if summarize && n > 2 * EDGEITEMS {
                let mut v: Vec<String> = (0..EDGEITEMS).map(sub).collect();
                v.push("...".into());
                v.extend((n - EDGEITEMS..n).map(sub));
                v
            } else {
                (0..n).map(sub).collect()
            };
            let sep = format!(",{}{}", "\n".repeat(nd - 1), " ".repeat(indent + 1));
            format!("[{}]", slices.join(&sep))
        }
    }
}

fn add_suffixes(body: String, suffixes: &[String], indent: usize) -> String {
    let mut out = body;
    // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 when absent.
    let mut last_line_len = match out.rfind('\n') {
        Some(p) => out.len() - p + 1,
        None => out.len() + 2,
    };
    for s in suffixes {
        if last_line_len + s.len() + 2 > LINEWIDTH {
            out.push_str(&format!(",\n{}{}", " ".repeat(indent), s));
            last_line_len = indent + s.len();
        } else {
            out.push_str(", ");
            out.push_str(s);
            last_line_len += s.len() + 2;
        }
    }
    out.push(')');
    out
}

impl Tensor {
    /// PyTorch's `repr(tensor)`.
    pub fn to_repr(&self) -> String {
        let prefix = "tensor(";
        let indent = prefix.len();
        let dtype = self.dtype();
        let mut suffixes = Vec::new();
        let body = if self.numel() == 0 {
            if self.ndim() != 1 {
                let dims: Vec<String> = self.shape().iter().map(|d| d.to_string()).collect();
                let tuple = if dims.len() == 1 {
                    format!("({},)", dims[0])
                } else {
                    format!("({})", dims.join(", "))
                };
                suffixes.push(format!("size={}", tuple));
            }
            if dtype != DType::F32 {
                suffixes.push(format!("dtype={}", dtype));
            }
            "[]".to_string()
        } else {
            // PyTorch omits the dtype for its defaults: float32, int64 and bool.
            if !matches!(dtype, DType::F32 | DType::I64 | DType::Bool) {
                suffixes.push(format!("dtype={}", dtype));
            }
            let data = self.to_f64_vec();
            let summarize = self.numel() > THRESHOLD;
            let f = if summarize {
                Formatter::new(&summarized(&data, self.shape()), dtype)
            } else {
                Formatter::new(&data, dtype)
            };
            tensor_str(&data, self.shape(), indent, summarize, &f, dtype)
        };
        if let Some(gf) = self.grad_fn() {
            suffixes.push(format!("grad_fn=<{}>", gf.name()));
        } else if self.requires_grad() {
            suffixes.push("requires_grad=True".into());
        }
        add_suffixes(format!("{}{}", prefix, body), &suffixes, indent)
    }
}

impl std::fmt::Display for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_repr())
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_repr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], shape: &[usize]) -> Tensor {
        Tensor::from_f64_slice(v, shape.to_vec(), DType::F32).unwrap()
    }

    #[test]
    fn prints_like_pytorch() {
        assert_eq!(t(&[5.0], &[1]).to_string(), "tensor([5.])");
        assert_eq!(t(&[25.0], &[]).to_string(), "tensor(25.)");
        assert_eq!(
            t(&[1.5, -2.25, 3.0], &[3]).to_string(),
            "tensor([ 1.5000, -2.2500,  3.0000])"
        );
        assert_eq!(
            t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]).to_string(),
            "tensor([[1., 2.],\n        [3., 4.]])"
        );
        assert_eq!(
            t(&[1e-5, 1.0], &[2]).to_string(),
            "tensor([1.0000e-05, 1.0000e+00])"
        );
        assert_eq!(
            t(&[f64::NAN, f64::INFINITY, 1.0], &[3]).to_string(),
            "tensor([nan, inf, 1.])"
        );
        assert_eq!(t(&[0.0, 0.0], &[2]).to_string(), "tensor([0., 0.])");
        assert_eq!(t(&[], &[0]).to_string(), "tensor([])");
        assert_eq!(t(&[], &[2, 0]).to_string(), "tensor([], size=(2, 0))");
        let d = Tensor::from_f64_slice(&[1.0, 2.5], vec![2], DType::F64).unwrap();
        assert_eq!(
            d.to_string(),
            "tensor([1.0000, 2.5000], dtype=torch.float64)"
        );
        let b = Tensor::from_f64_slice(&[1.0, 0.0], vec![2], DType::Bool).unwrap();
        assert_eq!(b.to_string(), "tensor([ True, False])");
        let i = Tensor::from_f64_slice(&[1.0, -20.0, 3.0], vec![3], DType::I64).unwrap();
        assert_eq!(i.to_string(), "tensor([  1, -20,   3])");
        let i = Tensor::from_f64_slice(&[1.0, 2.0], vec![2], DType::I32).unwrap();
        assert_eq!(i.to_string(), "tensor([1, 2], dtype=torch.int32)");
        let e = Tensor::from_f64_slice(&[], vec![0], DType::I64).unwrap();
        assert_eq!(e.to_string(), "tensor([], dtype=torch.int64)");
    }

    #[test]
    fn summarises_large_tensors() {
        let v: Vec<f64> = (1000..3000).map(|i| i as f64).collect();
        assert_eq!(
            t(&v, &[2000]).to_string(),
            "tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.])"
        );
        // max/min > 1000 switches to scientific notation, as torch.arange(2000.) prints
        let v: Vec<f64> = (0..2000).map(|i| i as f64).collect();
        assert_eq!(
            t(&v, &[2000]).to_string(),
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"
        );
    }

    #[test]
    fn wraps_long_rows() {
        let v: Vec<f64> = (0..20).map(|i| i as f64 + 0.5).collect();
        let s = t(&v, &[20]).to_string();
        assert_eq!(
            s,
            "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000, 14.5000, 15.5000,\n        16.5000, 17.5000, 18.5000, 19.5000])"
        );
    }
}
