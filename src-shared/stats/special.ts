/**
 * Special functions behind the Student t distribution: log-gamma, log-beta and the regularized
 * incomplete beta function. Written for ~1e-14 relative accuracy over the arguments a t-test
 * meets (a = df/2 from 0.5 to ~1e6, b = 1/2), without big cancellations for large arguments.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * δ(x) = lnΓ(x) − [(x − ½)·ln x − x + ½·ln 2π], the Stirling remainder, from its asymptotic series
 * Σ B₂ₖ / (2k(2k−1)·x^(2k−1)). Used only for x ≥ 10, where seven terms are below 1e-16.
 */
function stirlingRemainder(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  // Horner form of 1/12 − 1/(360x²) + 1/(1260x⁴) − 1/(1680x⁶) + 1/(1188x⁸) − 691/(360360x¹⁰) + 1/(156x¹²)
  const series =
    1 / 12 +
    inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 / 156)))));
  return series * inv;
}

/** ln Γ(x) for x > 0 (NaN otherwise). */
export function lnGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x === Infinity) return Infinity;
  if (x < 10) {
    // Γ(x) = Γ(x + k) / (x (x+1) … (x+k−1)): shift into the range where Stirling's series is exact enough.
    let product = 1;
    let z = x;
    while (z < 10) {
      product *= z;
      z += 1;
    }
    return lnGamma(z) - Math.log(product);
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingRemainder(x);
}

/**
 * ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a+b). For large arguments the three log-gammas are huge and
 * nearly cancel, so the Stirling parts are combined analytically first (log1p keeps the ratio terms exact).
 */
export function lnBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) return NaN;
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  const ratio = p / (p + q);
  if (p >= 10) {
    const remainder = stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q);
    return -0.5 * Math.log(q) + HALF_LOG_2PI + remainder + (p - 0.5) * Math.log(ratio) + q * Math.log1p(-ratio);
  }
  if (q >= 10) {
    const remainder = stirlingRemainder(q) - stirlingRemainder(p + q);
    return lnGamma(p) + remainder + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-ratio);
  }
  return lnGamma(p) + lnGamma(q) - lnGamma(p + q);
}

const LENTZ_TINY = 1e-300;
// A few ulps: |delta − 1| can hover at one ulp forever, so exact 1 is not a usable stop.
const LENTZ_EPS = 1e-15;
const LENTZ_MAX_TERMS = 100_000;

/**
 * Evaluates the continued fraction  1 / (1 + d₁ / (1 + d₂ / (1 + …)))  by the modified Lentz method,
 * with the partial numerators dⱼ supplied by `term(j)`, j = 1, 2, ….
 */
function continuedFraction(term: (j: number) => number): number {
  // Written as b₀ + a₁/(b₁ + a₂/(b₂ + …)) with b₀ = 0, a₁ = 1, bⱼ = 1, aⱼ₊₁ = dⱼ.
  let f = LENTZ_TINY;
  let c = f;
  let d = 0;
  for (let j = 1; j <= LENTZ_MAX_TERMS; j++) {
    const a = j === 1 ? 1 : term(j - 1);
    d = 1 + a * d;
    if (Math.abs(d) < LENTZ_TINY) d = LENTZ_TINY;
    c = 1 + a / c;
    if (Math.abs(c) < LENTZ_TINY) c = LENTZ_TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) <= LENTZ_EPS) break;
  }
  return f;
}

/** ln v where v's complement 1 − v is also known exactly: log1p keeps precision when v is close to 1. */
function logWithComplement(v: number, complement: number): number {
  return v > 0.5 ? Math.log1p(-complement) : Math.log(v);
}

/**
 * I_x(a, b) by the continued fraction
 *   I_x(a,b) = x^a (1−x)^b / (a·B(a,b)) · 1/(1 + d₁/(1 + d₂/(1 + …))),
 *   d₂ₘ₊₁ = −(a+m)(a+b+m)·x / ((a+2m)(a+2m+1)),   d₂ₘ = m(b−m)·x / ((a+2m−1)(a+2m)),
 * which converges quickly for x < (a+1)/(a+b+2).
 */
function incompleteBetaByFraction(x: number, a: number, b: number, y: number): number {
  const logPrefactor = a * logWithComplement(x, y) + b * logWithComplement(y, x) - lnBeta(a, b) - Math.log(a);
  const fraction = continuedFraction((j) => {
    const m = Math.floor(j / 2);
    if (j % 2 === 1) return (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    return (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
  });
  return Math.exp(logPrefactor) * fraction;
}

/**
 * Regularized incomplete beta I_x(a, b) = B(x; a, b) / B(a, b) for a, b > 0, x in [0, 1].
 * `y` = 1 − x may be passed when the caller knows it more precisely than 1 − x can be computed
 * (the t distribution does: x = ν/(ν+t²), y = t²/(ν+t²)).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, y: number = 1 - x): number {
  if (Number.isNaN(x) || Number.isNaN(y) || !(a > 0) || !(b > 0)) return NaN;
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  // Use the fraction on whichever side converges fast: I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBetaByFraction(y, b, a, x);
  return incompleteBetaByFraction(x, a, b, y);
}
