//! The columns a batch is given: a [`Batch`] of named columns, each built whole
//! ([`BatchColumn`]) or item by item ([`ColumnBuilder`]).

use crate::error::CheckError;
use std::collections::BTreeMap;

/// A column's values, of either kind.
#[derive(Debug, Clone)]
pub(super) enum Values {
    Numbers(Vec<f64>),
    Bools(Vec<bool>),
}

/// A column in a [`Batch`]: its values, and where records have data (`None`: all do).
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) values: Values,
    pub(super) present: Option<Vec<bool>>,
}

/// Columnar input: metric name to a column of values, all of one length.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub(super) len: usize,
    pub(super) columns: BTreeMap<String, Column>,
}

impl Batch {
    /// The column names, in name order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// An empty batch of `len` records.
    #[must_use]
    pub fn new(len: usize) -> Self {
        Self {
            len,
            columns: BTreeMap::new(),
        }
    }

    /// How many records the batch holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch holds no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a numeric column, in the metric's declared unit (as bare numbers in metrics input).
    /// Where `present[i]` is false record `i` has no data for this metric.
    ///
    /// # Errors
    /// [`Code::InvalidBatch`](crate::Code::InvalidBatch) when a length differs from the batch's
    /// or the name is repeated.
    pub fn add_numbers(
        &mut self,
        name: &str,
        values: Vec<f64>,
        present: Option<Vec<bool>>,
    ) -> Result<(), CheckError> {
        self.add(name, Values::Numbers(values), present)
    }

    /// A batch of `columns`, as many records as the first column has (none: an empty batch).
    /// Hosts read every column first, then build the batch, so that an unreadable column is
    /// reported before a column of the wrong length.
    ///
    /// # Errors
    /// As [`Batch::add_column`].
    pub fn from_columns(columns: Vec<(String, BatchColumn)>) -> Result<Self, CheckError> {
        let mut batch = Batch::new(columns.first().map_or(0, |(_, c)| c.len()));
        for (name, column) in columns {
            batch.add_column(&name, column)?;
        }
        Ok(batch)
    }

    /// Adds a column of either kind.
    ///
    /// # Errors
    /// As [`Batch::add_numbers`].
    pub fn add_column(&mut self, name: &str, column: BatchColumn) -> Result<(), CheckError> {
        match column {
            BatchColumn::Numbers(values, present) => self.add_numbers(name, values, present),
            BatchColumn::Bools(values, present) => self.add_bools(name, values, present),
        }
    }

    /// Adds a boolean column. Where `present[i]` is false record `i` has no data.
    ///
    /// # Errors
    /// As [`Batch::add_numbers`].
    pub fn add_bools(
        &mut self,
        name: &str,
        values: Vec<bool>,
        present: Option<Vec<bool>>,
    ) -> Result<(), CheckError> {
        self.add(name, Values::Bools(values), present)
    }

    fn add(
        &mut self,
        name: &str,
        values: Values,
        present: Option<Vec<bool>>,
    ) -> Result<(), CheckError> {
        let len = match &values {
            Values::Numbers(v) => v.len(),
            Values::Bools(v) => v.len(),
        };
        let bad = CheckError::invalid_batch;
        if len != self.len {
            return Err(bad(format!(
                "column `{name}` has {len} values but the batch has {} records",
                self.len
            )));
        }
        if let Some(p) = &present
            && p.len() != self.len
        {
            return Err(bad(format!(
                "the presence mask of column `{name}` has {} values but the batch has {} records",
                p.len(),
                self.len
            )));
        }
        if self.columns.contains_key(name) {
            return Err(bad(format!("column `{name}` is given twice")));
        }
        self.columns
            .insert(name.to_owned(), Column { values, present });
        Ok(())
    }
}

/// One column as a host read it, before it joins a [`Batch`]: its values, and where records
/// have data (`None`: every record does).
#[derive(Debug, Clone, PartialEq)]
pub enum BatchColumn {
    /// Numbers, in the metric's declared unit.
    Numbers(Vec<f64>, Option<Vec<bool>>),
    /// Booleans.
    Bools(Vec<bool>, Option<Vec<bool>>),
}

impl BatchColumn {
    /// How many records the column holds.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            BatchColumn::Numbers(v, _) => v.len(),
            BatchColumn::Bools(v, _) => v.len(),
        }
    }

    /// Whether the column holds no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column with every NaN read as no data, for hosts whose data says "missing" with
    /// NaN (pandas). Without it, a NaN is not a number: its record is invalid.
    #[must_use]
    pub fn nan_as_missing(self) -> Self {
        match self {
            BatchColumn::Numbers(values, present) if values.iter().any(|v| v.is_nan()) => {
                let present = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        !v.is_nan() && present.as_ref().is_none_or(|p| p.get(i) == Some(&true))
                    })
                    .collect();
                BatchColumn::Numbers(values, Some(present))
            }
            other => other,
        }
    }
}

/// A [`BatchColumn`] read one item at a time, as hosts read a list or an array: numbers or
/// booleans (not both in one column), and items without data (`null`, `None`).
#[derive(Debug, Clone)]
pub struct ColumnBuilder<'a> {
    name: &'a str,
    numbers: Vec<f64>,
    bools: Vec<bool>,
    present: Vec<bool>,
    is_bool: Option<bool>,
}

impl<'a> ColumnBuilder<'a> {
    /// An empty column `name`, with room for `capacity` items, but for no more than 65,536 up
    /// front: `capacity` is the host's word for the column's length (a sparse JavaScript array
    /// says 2^32 - 1 and holds nothing), and the columns grow as items come.
    #[must_use]
    pub fn new(name: &'a str, capacity: usize) -> Self {
        let capacity = capacity.min(1 << 16);
        Self {
            name,
            numbers: Vec::with_capacity(capacity),
            bools: Vec::new(),
            present: Vec::with_capacity(capacity),
            is_bool: None,
        }
    }

    /// How many items have been read.
    #[must_use]
    pub fn len(&self) -> usize {
        self.present.len()
    }

    /// Whether no item has been read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// The next item has no data.
    pub fn push_missing(&mut self) {
        self.present.push(false);
        self.numbers.push(0.0);
        self.bools.push(false);
    }

    /// The next item is a number.
    ///
    /// # Errors
    /// [`Code::InvalidBatch`](crate::Code::InvalidBatch) when the column already holds booleans.
    pub fn push_number(&mut self, value: f64) -> Result<(), CheckError> {
        self.kind(false)?;
        self.present.push(true);
        self.numbers.push(value);
        self.bools.push(false);
        Ok(())
    }

    /// The next item is a boolean.
    ///
    /// # Errors
    /// [`Code::InvalidBatch`](crate::Code::InvalidBatch) when the column already holds numbers.
    pub fn push_bool(&mut self, value: bool) -> Result<(), CheckError> {
        self.kind(true)?;
        self.present.push(true);
        self.numbers.push(0.0);
        self.bools.push(value);
        Ok(())
    }

    fn kind(&mut self, is_bool: bool) -> Result<(), CheckError> {
        if *self.is_bool.get_or_insert(is_bool) == is_bool {
            return Ok(());
        }
        Err(CheckError::invalid_batch(format!(
            "column `{}` mixes numbers and booleans (item {})",
            self.name,
            self.present.len()
        )))
    }

    /// The column read: booleans if its items were booleans, else numbers (also when it has
    /// no data at all); no presence mask when every item had data.
    #[must_use]
    pub fn finish(self) -> BatchColumn {
        let present = if self.present.iter().all(|&p| p) {
            None
        } else {
            Some(self.present)
        };
        if self.is_bool == Some(true) {
            BatchColumn::Bools(self.bools, present)
        } else {
            BatchColumn::Numbers(self.numbers, present)
        }
    }
}
