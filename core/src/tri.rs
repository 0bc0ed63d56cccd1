//! Three-valued (Kleene) logic for conditions over data that may be missing.

use serde::{Deserialize, Serialize};

/// A truth value that may be unknown because data is missing.
///
/// The discriminants are ordered `False < Unknown < True`, so Kleene `and` is `min`, `or` is
/// `max` and `not` is `2 - x`: the columnar evaluator relies on this encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Tri {
    /// Known to be false.
    False = 0,
    /// Not known: a metric it depends on has no data.
    Unknown = 1,
    /// Known to be true.
    True = 2,
}

impl Tri {
    /// Kleene conjunction.
    #[must_use]
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    /// Kleene disjunction.
    #[must_use]
    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    /// Kleene negation.
    #[must_use]
    #[expect(
        clippy::should_implement_trait,
        reason = "reads as the logic it is; `!` is also provided"
    )]
    pub fn not(self) -> Tri {
        Tri::from_u8(2 - self as u8)
    }

    /// The value for its byte encoding; anything above 2 reads as `True`.
    #[must_use]
    pub fn from_u8(byte: u8) -> Tri {
        match byte {
            0 => Tri::False,
            1 => Tri::Unknown,
            _ => Tri::True,
        }
    }

    /// `True` or `False` from a known boolean.
    #[must_use]
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        Tri::not(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Tri::{self, False, True, Unknown};

    #[test]
    fn kleene_truth_tables() {
        let all = [False, Unknown, True];
        for a in all {
            for b in all {
                let and = match (a, b) {
                    (False, _) | (_, False) => False,
                    (True, True) => True,
                    _ => Unknown,
                };
                let or = match (a, b) {
                    (True, _) | (_, True) => True,
                    (False, False) => False,
                    _ => Unknown,
                };
                assert_eq!(a.and(b), and, "{a:?} and {b:?}");
                assert_eq!(a.or(b), or, "{a:?} or {b:?}");
            }
        }
        assert_eq!((!False, !Unknown, !True), (True, Unknown, False));
        assert_eq!(Tri::from_u8(7), True);
    }
}
