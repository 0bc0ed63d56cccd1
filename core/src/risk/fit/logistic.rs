//! L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
//! squares), deterministic to the bit.
//!
//! Every sum runs in row order, the linear system is solved by a Cholesky factorisation in a
//! fixed order, and `exp` is libm's pure-Rust port of musl's, so the same data gives the same
//! coefficients, byte for byte, on every platform (the platform's own `exp` may differ in its
//! last bit between systems).

/// A fitted model: the intercept and one coefficient per column of the (standardised) design.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fitted {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    pub iterations: u32,
    pub converged: bool,
}

/// The most Newton steps taken.
pub(crate) const MAX_ITERATIONS: u32 = 100;
/// Converged when no coefficient moves more than this in a step.
pub(crate) const TOLERANCE: f64 = 1e-10;

/// The logistic function, without overflow.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

/// Fits `y ~ x` (rows of `x` are observations) with penalty `lambda / 2 · |β|²` on the
/// coefficients (not the intercept).
pub(crate) fn fit(x: &[Vec<f64>], y: &[bool], lambda: f64) -> Fitted {
    let p = x.first().map_or(0, Vec::len);
    let dim = p + 1;
    let mut beta = vec![0.0; dim];
    // Start at the base rate.
    let positives = y.iter().filter(|&&v| v).count() as f64;
    let n = y.len().max(1) as f64;
    let rate = (positives / n).clamp(1e-6, 1.0 - 1e-6);
    beta[0] = libm::log(rate / (1.0 - rate));
    let mut iterations = 0;
    let mut converged = false;
    let mut previous = objective(x, y, &beta, lambda);
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let mut gradient = vec![0.0; dim];
        let mut hessian = vec![0.0; dim * dim];
        for (row, &label) in x.iter().zip(y) {
            let z = linear(&beta, row);
            let prob = sigmoid(z);
            let residual = f64::from(u8::from(label)) - prob;
            let w = prob * (1.0 - prob);
            let value = |j: usize| if j == 0 { 1.0 } else { row[j - 1] };
            for j in 0..dim {
                let xj = value(j);
                gradient[j] += xj * residual;
                let wxj = w * xj;
                for k in 0..=j {
                    hessian[j * dim + k] += wxj * value(k);
                }
            }
        }
        for j in 1..dim {
            gradient[j] -= lambda * beta[j];
            hessian[j * dim + j] += lambda;
        }
        // A tiny ridge on the intercept too keeps the system positive definite when every
        // probability saturates.
        hessian[0] += 1e-12;
        for j in 0..dim {
            for k in 0..j {
                hessian[k * dim + j] = hessian[j * dim + k];
            }
        }
        let Some(step) = cholesky_solve(&hessian, &gradient, dim) else {
            break;
        };
        // Newton's step, halved while it does not improve the objective.
        let mut scale = 1.0;
        let mut candidate;
        let mut value;
        loop {
            candidate = beta
                .iter()
                .zip(&step)
                .map(|(b, s)| b + scale * s)
                .collect::<Vec<f64>>();
            value = objective(x, y, &candidate, lambda);
            if value <= previous + 1e-12 * previous.abs() || scale < 1e-6 {
                break;
            }
            scale *= 0.5;
        }
        let moved = step.iter().map(|s| (scale * s).abs()).fold(0.0, f64::max);
        beta = candidate;
        previous = value;
        if moved < TOLERANCE {
            converged = true;
            break;
        }
    }
    Fitted {
        intercept: beta[0],
        coefficients: beta[1..].to_vec(),
        iterations,
        converged,
    }
}

/// `β₀ + Σ βⱼ xⱼ`.
fn linear(beta: &[f64], row: &[f64]) -> f64 {
    let mut z = beta[0];
    for (b, x) in beta[1..].iter().zip(row) {
        z += b * x;
    }
    z
}

/// The penalised negative log-likelihood.
fn objective(x: &[Vec<f64>], y: &[bool], beta: &[f64], lambda: f64) -> f64 {
    let mut total = 0.0;
    for (row, &label) in x.iter().zip(y) {
        let z = linear(beta, row);
        // log(1 + e^z) - y·z, computed without overflow.
        let softplus = if z > 0.0 {
            z + libm::log1p(libm::exp(-z))
        } else {
            libm::log1p(libm::exp(z))
        };
        total += softplus - if label { z } else { 0.0 };
    }
    let penalty: f64 = beta[1..].iter().map(|b| b * b).sum();
    total + 0.5 * lambda * penalty
}

/// Solves `a · s = b` for a symmetric positive definite `a` (row-major, `dim × dim`).
fn cholesky_solve(a: &[f64], b: &[f64], dim: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; dim * dim];
    for j in 0..dim {
        let mut d = a[j * dim + j];
        for k in 0..j {
            d -= l[j * dim + k] * l[j * dim + k];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        l[j * dim + j] = d;
        for i in j + 1..dim {
            let mut s = a[i * dim + j];
            for k in 0..j {
                s -= l[i * dim + k] * l[j * dim + k];
            }
            l[i * dim + j] = s / d;
        }
    }
    let mut z = vec![0.0; dim];
    for i in 0..dim {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * dim + k] * z[k];
        }
        z[i] = s / l[i * dim + i];
    }
    let mut out = vec![0.0; dim];
    for i in (0..dim).rev() {
        let mut s = z[i];
        for k in i + 1..dim {
            s -= l[k * dim + i] * out[k];
        }
        out[i] = s / l[i * dim + i];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_model() {
        // y = 1 exactly when x > 0, with noise from a fixed sequence: the slope is positive.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..400 {
            let v = f64::from(i - 200) / 50.0;
            x.push(vec![v]);
            let noise = f64::from((i * 7919) % 100) / 100.0;
            y.push(sigmoid(2.0 * v - 0.5) > noise);
        }
        let fitted = fit(&x, &y, 1e-6);
        assert!(fitted.converged);
        assert!((fitted.coefficients[0] - 2.0).abs() < 0.6, "{fitted:?}");
        assert_eq!(fit(&x, &y, 1e-6), fitted, "deterministic");
    }
}
