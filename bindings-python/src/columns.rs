//! Batches in: a mapping of metric names to columns, read into a core [`Batch`].
//!
//! Columns are read through the buffer protocol via `memoryview` (no NumPy dependency, and it
//! works under the `abi3-py39` stable ABI, where pyo3's `PyBuffer` is not available before
//! Python 3.11); a `float64` array is copied as bytes in 64 KiB slices (no large `bytes`
//! object per call). Native integers and `float32` are read as Python numbers. A NumPy array
//! of another layout is converted by NumPy itself (`astype`): big-endian, `float16` and other
//! numbers to `float64`; an `object` array is read item by item; any other dtype (complex,
//! dates, text) is `KIRO-E032`, as is a buffer of a format kiro cannot read. Any other iterable
//! is read item by item into the core's `ColumnBuilder`; the core's `Batch::from_columns`
//! checks the columns.
//!
//! Data-frame libraries are read in their own terms: a pandas, Polars or pyarrow frame is a
//! mapping of its column names to its columns, and a column's nulls (`isna()` in pandas, which
//! includes NaN; `is_null()` in Polars and Arrow; the mask of a NumPy masked array) are no
//! data. Elsewhere a NaN is not a number, and its record invalid, unless the caller asks for
//! NaN to be no data ([`Nan::Missing`]); [`Nan::Error`] makes even pandas' NaN invalid.

use crate::error::raise;
use kiro::{Batch, BatchColumn, CheckError, ColumnBuilder};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyList, PyMapping, PyMemoryView, PySlice,
    PyString, PyTuple,
};

fn batch_error(message: String) -> PyErr {
    raise(CheckError::invalid_batch(message))
}

/// What a NaN in a column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nan {
    /// As its library says: pandas' NaN is its "missing", elsewhere NaN is not a number.
    Library,
    /// No data, wherever it comes from.
    Missing,
    /// Not a number, its record invalid, even in pandas.
    Error,
}

impl Nan {
    /// The `nan=` argument: `None`, `"missing"` or `"error"`.
    pub fn from_arg(arg: Option<&str>) -> PyResult<Self> {
        match arg {
            None => Ok(Nan::Library),
            Some("missing") => Ok(Nan::Missing),
            Some("error") => Ok(Nan::Error),
            Some(other) => Err(raise(kiro::BoundaryError::input(
                kiro::Code::InvalidValue,
                format!("`nan` is \"missing\", \"error\" or None, not `{other}`"),
            ))),
        }
    }
}

/// A mapping of metric names to columns (sequences, or any object with the buffer protocol
/// such as `array.array` or a NumPy array), or a pandas, Polars or pyarrow frame, as a core
/// [`Batch`].
pub fn read(columns: &Bound<'_, PyAny>, nan: Nan) -> PyResult<Batch> {
    let entries: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> =
        if let Ok(mapping) = columns.cast::<PyMapping>() {
            mapping
                .items()?
                .iter()
                .map(|item| item.extract())
                .collect::<PyResult<_>>()?
        } else if let Some(names) = frame_names(columns)? {
            names
                .iter()
                .map(|name| Ok((name.clone(), columns.get_item(name)?)))
                .collect::<PyResult<_>>()?
        } else {
            let type_name = columns.get_type().name()?.to_cow()?.into_owned();
            return Err(batch_error(format!(
                "batch columns must be a mapping of metric names to columns, or a pandas, \
                 Polars or pyarrow frame, not `{type_name}`"
            )));
        };
    let mut read = Vec::new();
    for (name, values) in entries {
        let Ok(name) = name.cast::<PyString>() else {
            return Err(batch_error("batch column names must be strings".to_owned()));
        };
        let name = name.to_cow()?.into_owned();
        let column = match null_mask(&values)? {
            Some(mask) => library_column(&name, &values, &mask, nan)?,
            None => column(&name, &values)?,
        };
        let column = match nan {
            Nan::Missing => column.nan_as_missing(),
            Nan::Library | Nan::Error => column,
        };
        read.push((name, column));
    }
    Batch::from_columns(read).map_err(raise)
}

/// The column names of a data frame: pyarrow's `column_names`, or the `columns` of a pandas
/// or Polars frame; `None` for anything else.
fn frame_names<'py>(frame: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    let names = if frame.hasattr("column_names")? {
        frame.getattr("column_names")?
    } else if frame.hasattr("columns")? && frame.hasattr("__getitem__")? {
        frame.getattr("columns")?
    } else {
        return Ok(None);
    };
    names.try_iter()?.collect::<PyResult<Vec<_>>>().map(Some)
}

/// Where a column of a data-frame library has no data, by the library's own word: `isna()`
/// (pandas), `is_null()` (Polars, Arrow), the mask of a NumPy masked array; `None` for any
/// other column.
fn null_mask(values: &Bound<'_, PyAny>) -> PyResult<Option<Vec<bool>>> {
    let mask = if values.hasattr("isna")? {
        values.call_method0("isna")?
    } else if values.hasattr("is_null")? {
        values.call_method0("is_null")?
    } else if values
        .get_type()
        .module()?
        .to_cow()?
        .starts_with("numpy.ma")
    {
        values
            .py()
            .import("numpy.ma")?
            .call_method1("getmaskarray", (values,))?
    } else {
        return Ok(None);
    };
    let mask = if mask.hasattr("to_numpy")? {
        mask.call_method0("to_numpy")?
    } else {
        mask
    };
    mask.call_method0("tolist")?.extract().map(Some)
}

/// A column of a data-frame library: its values as NumPy holds them (`to_numpy()`, or a masked
/// array's `data`), and no data where `mask` says so.
fn library_column(
    name: &str,
    values: &Bound<'_, PyAny>,
    mask: &[bool],
    nan: Nan,
) -> PyResult<BatchColumn> {
    let data = if values.hasattr("to_numpy")? {
        values.call_method0("to_numpy")?
    } else {
        values.getattr("data")?
    };
    if !mask.contains(&true) {
        return column(name, &data);
    }
    let items = data.call_method0("tolist")?;
    let mut present = mask.iter().map(|&null| !null);
    // With `nan="error"`, a NaN the library calls missing is still not a number.
    let keep_nan = nan == Nan::Error;
    let filter = |item: &Bound<'_, PyAny>| {
        let null = !present.next().unwrap_or(true);
        let nan_value = keep_nan
            && item.is_instance_of::<PyFloat>()
            && item.extract::<f64>().is_ok_and(f64::is_nan);
        null && !nan_value
    };
    sequence_column_masked(name, &items, filter)
}

fn column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<BatchColumn> {
    if values.is_instance_of::<PyString>() {
        return Err(batch_error(format!(
            "column `{name}` is a string, not a sequence of values"
        )));
    }
    let buffer_like = values.is_instance_of::<PyBytes>()
        || values.is_instance_of::<PyByteArray>()
        || values.is_instance_of::<PyMemoryView>()
        || !(values.is_instance_of::<PyList>() || values.is_instance_of::<PyTuple>());
    if buffer_like {
        match PyMemoryView::from(values) {
            Ok(view) => return buffer_column(name, values, &view),
            // NumPy refuses a buffer for some dtypes (dates): by its dtype, then.
            Err(_) if values.hasattr("dtype")? => return numpy_column(name, values),
            Err(_) => {}
        }
    }
    sequence_column(name, values)
}

/// Native element formats `memoryview.tolist()` reads (besides doubles and booleans, which are
/// read here directly): integers of every width and `float32`.
const NATIVE_FORMATS: &str = "bBhHiIlLqQnNf";

fn buffer_column(
    name: &str,
    values: &Bound<'_, PyAny>,
    view: &Bound<'_, PyMemoryView>,
) -> PyResult<BatchColumn> {
    let ndim: usize = view.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(batch_error(format!(
            "column `{name}` has {ndim} dimensions; a batch column has one"
        )));
    }
    let format: String = view.getattr("format")?.extract()?;
    let native_f64 = matches!(format.as_str(), "d" | "@d" | "=d")
        || (cfg!(target_endian = "little") && format == "<d");
    if native_f64 {
        return Ok(BatchColumn::Numbers(f64_buffer(view)?, None));
    }
    if matches!(format.as_str(), "?" | "@?" | "=?" | "<?") {
        let bytes = view.call_method0("tobytes")?;
        let values = bytes
            .cast::<PyBytes>()?
            .as_bytes()
            .iter()
            .map(|&b| b != 0)
            .collect();
        return Ok(BatchColumn::Bools(values, None));
    }
    let native = format.strip_prefix('@').unwrap_or(&format);
    if native.len() == 1 && NATIVE_FORMATS.contains(native) {
        // Integers, float32: as Python numbers.
        return sequence_column(name, &view.call_method0("tolist")?);
    }
    if values.hasattr("dtype")? {
        return numpy_column(name, values);
    }
    Err(batch_error(format!(
        "column `{name}` is a buffer of format `{format}`, which kiro cannot read; give \
         float64 values (or a sequence of numbers)"
    )))
}

/// A NumPy array whose memory kiro does not read as it is (big-endian, `float16`, `object`,
/// dates): numbers converted by NumPy to native `float64`, booleans to native `bool`, objects
/// read item by item; any other dtype is refused.
fn numpy_column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<BatchColumn> {
    let dtype = values.getattr("dtype")?;
    let kind: String = dtype.getattr("kind")?.extract()?;
    let converted = match kind.as_str() {
        "i" | "u" | "f" => values.call_method1("astype", ("float64",))?,
        "b" => values.call_method1("astype", ("bool",))?,
        "O" => return sequence_column(name, &values.call_method0("tolist")?),
        _ => {
            let dtype_name: String = dtype.getattr("name")?.extract()?;
            return Err(batch_error(format!(
                "column `{name}` is a NumPy array of `{dtype_name}`; batch values are numbers, \
                 booleans or None"
            )));
        }
    };
    let view = PyMemoryView::from(&converted)?;
    let format: String = view.getattr("format")?.extract()?;
    if !matches!(format.as_str(), "d" | "?") {
        return Err(batch_error(format!(
            "column `{name}` could not be converted to float64 (format `{format}`)"
        )));
    }
    buffer_column(name, &converted, &view)
}

/// Doubles per slice of a buffer copied at a time: 64 KiB, small enough that the allocator
/// serves each slice's `bytes` from memory it already has. One `tobytes` of a whole column of
/// 100,000 doubles allocates 800 KB fresh from the system each time, and faulting those pages
/// in costs several times the copy itself.
const SLICE: usize = 8192;

/// The values of a one-dimensional buffer of native doubles, copied slice by slice.
fn f64_buffer(view: &Bound<'_, PyMemoryView>) -> PyResult<Vec<f64>> {
    let len = view.len()?;
    let mut values = Vec::with_capacity(len);
    let mut start = 0;
    while start < len {
        let end = len.min(start + SLICE);
        let slice = PySlice::new(view.py(), start.try_into()?, end.try_into()?, 1);
        let bytes = view.get_item(slice)?.call_method0("tobytes")?;
        values.extend(
            bytes
                .cast::<PyBytes>()?
                .as_bytes()
                .chunks_exact(8)
                .map(|c| f64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])),
        );
        start = end;
    }
    Ok(values)
}

fn sequence_column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<BatchColumn> {
    sequence_column_masked(name, values, |_| false)
}

/// A sequence read item by item; an item for which `missing` says so is no data.
fn sequence_column_masked(
    name: &str,
    values: &Bound<'_, PyAny>,
    mut missing: impl FnMut(&Bound<'_, PyAny>) -> bool,
) -> PyResult<BatchColumn> {
    let Ok(iter) = values.try_iter() else {
        let type_name = values.get_type().name()?.to_cow()?.into_owned();
        return Err(batch_error(format!(
            "column `{name}` is a `{type_name}`, not a sequence of values"
        )));
    };
    let mut column = ColumnBuilder::new(name, 0);
    for (i, item) in iter.enumerate() {
        let item = item?;
        let pushed = if missing(&item) || item.is_none() {
            column.push_missing();
            Ok(())
        } else if let Ok(b) = item.cast::<PyBool>() {
            column.push_bool(b.is_true())
        } else if item.is_instance_of::<PyInt>() || item.is_instance_of::<PyFloat>() {
            column.push_number(item.extract::<f64>().unwrap_or(f64::INFINITY))
        } else if !item.is_instance_of::<PyString>()
            && let Ok(f) = item.extract::<f64>()
        {
            column.push_number(f)
        } else {
            let type_name = item.get_type().name()?.to_cow()?.into_owned();
            return Err(batch_error(format!(
                "column `{name}` item {i} is a `{type_name}`; batch values are numbers, booleans \
                 or None"
            )));
        };
        pushed.map_err(raise)?;
    }
    Ok(column.finish())
}
