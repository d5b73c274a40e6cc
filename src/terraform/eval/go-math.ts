/**
 * Go's math.Pow, Frexp and Ldexp on float64, which cty's pow calls: Go computes a power by
 * repeated squaring with the exponent kept apart, so its result can differ from
 * JavaScript's Math.pow (pow(1.1, 10) is 2.593742460100002 in Terraform, 2.5937424601000023
 * in JavaScript). The fractional part of an exponent uses exp and log, which are
 * JavaScript's here and may differ from Go's in the last binary digit.
 */

const isOddInt = (x: number) => Number.isInteger(x) && Math.abs(x) < 2 ** 53 && Math.abs(x % 2) === 1;

export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0) {
    const negativeZero = Object.is(x, -0) && isOddInt(y);
    if (y < 0) return negativeZero ? -Infinity : Infinity;
    return negativeZero ? x : 0;
  }
  if (!Number.isFinite(y)) {
    if (x === -1) return 1;
    return Math.abs(x) < 1 === y > 0 ? 0 : Infinity;
  }
  if (!Number.isFinite(x)) {
    if (x < 0) return goPow(1 / x, -y);
    return y < 0 ? 0 : Infinity;
  }
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);
  let yi = Math.trunc(Math.abs(y));
  let yf = Math.abs(y) - yi;
  if (yf !== 0 && x < 0) return NaN;
  if (yi >= 2 ** 63) {
    if (x === -1) return 1;
    return Math.abs(x) < 1 === y > 0 ? 0 : Infinity;
  }
  let a1 = 1;
  let ae = 0;
  if (yf !== 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = Math.exp(yf * Math.log(x));
  }
  let [x1, xe] = frexp(x);
  for (let i = BigInt(yi); i !== 0n; i >>= 1n) {
    if (xe < -(1 << 12) || 1 << 12 < xe) {
      ae += xe;
      break;
    }
    if ((i & 1n) === 1n) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe *= 2;
    if (x1 < 0.5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return ldexp(a1, ae);
}

const view = new DataView(new ArrayBuffer(8));
const bitsOf = (x: number) => (view.setFloat64(0, x), view.getBigUint64(0));
const fromBits = (b: bigint) => (view.setBigUint64(0, b), view.getFloat64(0));
const EXP_MASK = 0x7ffn << 52n;

/** Go's math.Frexp: x = fraction × 2^exp with fraction in [0.5, 1). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let exp = 0;
  if (Math.abs(x) < 2 ** -1022) {
    x *= 2 ** 52;
    exp = -52;
  }
  const b = bitsOf(x);
  exp += Number((b & EXP_MASK) >> 52n) - 1022;
  return [fromBits((b & ~EXP_MASK) | (1022n << 52n)), exp];
}

/** Go's math.Ldexp: fraction × 2^exp, rounding once into the subnormal range. */
function ldexp(fraction: number, exp: number): number {
  if (fraction === 0 || !Number.isFinite(fraction)) return fraction;
  if (Math.abs(fraction) < 2 ** -1022) {
    fraction *= 2 ** 52;
    exp -= 52;
  }
  let b = bitsOf(fraction);
  exp += Number((b & EXP_MASK) >> 52n) - 1023;
  if (exp < -1075) return fraction < 0 ? -0 : 0;
  if (exp > 1023) return fraction < 0 ? -Infinity : Infinity;
  let m = 1;
  if (exp < -1022) {
    exp += 53;
    m = 2 ** -53;
  }
  b = (b & ~EXP_MASK) | (BigInt(exp + 1023) << 52n);
  return m * fromBits(b);
}
