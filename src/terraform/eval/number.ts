import Decimal from 'decimal.js';
import { frexp, goPow } from './go-math';

/**
 * Terraform's numbers as cty holds them: Go `big.Float` values, a binary mantissa of
 * `prec` bits rounded to nearest even after every operation, and ±Inf. A number
 * written in the configuration or converted from a string has 512 bits (so
 * `9007199254740993 - 9007199254740992` is 1 and `0.1 + 0.2 == 0.3`), a count, an index
 * or a length 64 (NumberIntVal), and the result of pow 53 (a float64); a sum or a
 * quotient has the larger precision of its operands, so that `1/3*3 == 1`, while
 * `length(a) / length(b)` is rounded to 64 bits.
 *
 * decimal.js holds each value exactly (every binary fraction is a finite decimal) and
 * does the arithmetic, exactly, and the decimal rounding; what is Terraform's own is
 * written here after Go's math/big: the rounding to `prec` bits (a quotient is
 * estimated to 400 digits and checked exactly where it falls near a halfway point)
 * and the parser's powers of five; number-text.ts writes numbers as Go does, and
 * go-math.ts has Go's math.Pow.
 *
 * Limits: a finite number from 1e1000 up, or nonzero below 1e-1000, is not evaluated
 * (Unevaluated: the value is unknown to the scan), which bounds the digits any
 * operation handles. pow with a fractional exponent uses JavaScript's exp and log,
 * which may differ from Go's in the last binary digit (as Go's own differ between
 * amd64 and arm64).
 */

/** Every operation exact: the precision is decimal.js's largest, and no result here comes near it. */
export const Exact = Decimal.clone({ precision: 1e9, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
/** Quotients, estimated. */
const Approx = Decimal.clone({ precision: 400, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });

/** Precisions in bits: a parsed number (cty.ParseNumberVal), an int64 (NumberIntVal), a float64. */
export const PREC = { parsed: 512, int: 64, float64: 53 } as const;

/** Decimal exponents beyond which a finite, nonzero number is not evaluated. */
export const MAX_DECIMAL_EXPONENT = 1000;

/** Significant digits beyond which a number written as text is not evaluated. */
export const MAX_DIGITS = 1000;

/** Longest text tagguard writes for a number (format's precision). */
export const MAX_TEXT_DIGITS = 100_000;

export interface TerraformNumber {
  readonly value: Decimal;
  /** The mantissa's precision in bits. */
  readonly prec: number;
}

/** An operation Terraform rejects (∞ - ∞, 0 × ∞, 0 / 0); the message is Terraform's. */
export class NumberError extends Error {}

/** A number or a text tagguard does not compute (out of range, too long): unknown to the scan. */
export class Unevaluated extends Error {}

const make = (value: Decimal, prec: number): TerraformNumber => ({ value, prec });

// ---------------------------------------------------------------------------
// Binary rounding.

const POW2 = new Map<number, Decimal>();

/** 2^k, exact. */
export function pow2(k: number): Decimal {
  let p = POW2.get(k);
  if (!p) {
    if (POW2.size > 4096) POW2.clear();
    p = k >= 0 ? new Exact(2).pow(k) : new Exact(5).pow(-k).times(new Exact(`1e${k}`));
    POW2.set(k, p);
  }
  return p;
}

const bitLength = (n: bigint) => (n < 0n ? -n : n).toString(2).length;

/** A whole number of moderate size as a bigint; undefined otherwise. */
const smallInteger = (x: Decimal) => (x.isInteger() && x.e < 2000 ? BigInt(x.toFixed(0)) : undefined);

/** floor(log2(x)) for a finite x > 0. */
export function exponent2(x: Decimal): number {
  const int = smallInteger(x);
  if (int !== undefined) return bitLength(int) - 1;
  const [mantissa, exp10] = x.toExponential(15).split('e');
  let e = Math.floor(Math.log2(Number(mantissa)) + Number(exp10) * Math.log2(10));
  while (pow2(e).gt(x)) e--;
  while (pow2(e + 1).lte(x)) e++;
  return e;
}

/** A finite, nonzero number out of the range tagguard evaluates. */
const outOfRange = (x: Decimal) => x.isFinite() && !x.isZero() && Math.abs(x.e) >= MAX_DECIMAL_EXPONENT;

export const beyondRange = () => new Unevaluated(`a number beyond 1e±${MAX_DECIMAL_EXPONENT} is not evaluated`);

function inRange(x: Decimal): Decimal {
  if (outOfRange(x)) throw beyondRange();
  return x;
}

/** x rounded to `prec` significant bits, to nearest even, as big.Float rounds every result. */
function nearest(x: Decimal, prec: number): Decimal {
  if (!x.isFinite() || x.isZero()) return x;
  const abs = x.abs();
  if (abs.isInteger() && abs.lt(pow2(prec))) return x;
  const e = exponent2(abs);
  const mantissa = abs.times(pow2(prec - 1 - e)).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  const rounded = mantissa.times(pow2(e - prec + 1));
  return x.s < 0 ? rounded.neg() : rounded;
}

/** A result rounded to `prec` bits, in the range evaluated. */
const roundBits = (x: Decimal, prec: number) => inRange(nearest(x, prec));

/** Whether x, with `prec` bits, has an even mantissa (the neighbour a tie rounds to). */
function evenMantissa(x: Decimal, prec: number): boolean {
  const abs = x.abs();
  return abs
    .times(pow2(prec - 1 - exponent2(abs)))
    .mod(2)
    .isZero();
}

/** How far an estimated quotient may be from a halfway point and still be checked exactly: far above its error. */
const TOLERANCE = new Exact('1e-390');

/** The correctly rounded quotient a / b (finite, b nonzero), as big.Float's Quo gives it. */
function roundQuotient(a: Decimal, b: Decimal, prec: number): Decimal {
  const negative = a.s !== b.s;
  if (a.isZero()) return new Exact(negative ? -0 : 0);
  const [x, y] = [a.abs(), b.abs()];
  const estimate = new Exact(new Approx(x).div(new Approx(y)));
  let r = nearest(estimate, prec);
  // The estimate is within 1e-399 of x / y: r is right unless x / y is at, or just by, a
  // halfway point between r and a neighbour; there x is compared with midpoint × y exactly.
  const e = exponent2(r);
  const [up, halfUp] = [pow2(e - prec + 1), pow2(e - prec)];
  // Below a power of two the neighbour is half as far.
  const [down, halfDown] = r.eq(pow2(e)) ? [halfUp, pow2(e - prec - 1)] : [up, halfUp];
  const near = (midpoint: Decimal) => estimate.minus(midpoint).abs().lte(midpoint.times(TOLERANCE));
  /** Whether x / y rounds past the midpoint: beyond it, or on it with r's mantissa odd. */
  const past = (midpoint: Decimal, direction: 1 | -1) => {
    const c = x.cmp(midpoint.times(y));
    return c === direction || (c === 0 && !evenMantissa(r, prec));
  };
  const high = r.plus(halfUp);
  const low = r.minus(halfDown);
  if (near(high) && past(high, 1)) r = r.plus(up);
  else if (near(low) && past(low, -1)) r = r.minus(down);
  return inRange(negative ? r.neg() : r);
}

/** Bits from the highest to the lowest set bit (big.Float's MinPrec) of x, which has at most `prec`; 0 for zero and ±Inf. */
function minPrec(x: Decimal, prec: number): number {
  if (!x.isFinite() || x.isZero()) return 0;
  let m =
    smallInteger(x.abs()) ??
    BigInt(
      x
        .abs()
        .times(pow2(prec - 1 - exponent2(x.abs())))
        .toFixed(0),
    );
  while ((m & 0xffffffffn) === 0n) m >>= 32n;
  while ((m & 1n) === 0n) m >>= 1n;
  return bitLength(m);
}

// ---------------------------------------------------------------------------
// Making numbers.

/** Whether a whole number of `digits` digits in `base` is sure to be beyond the range evaluated. */
export function integerBeyondRange(digits: number, base: number): boolean {
  return (digits - 1) * Math.log10(base) > MAX_DECIMAL_EXPONENT + 1;
}

/** A whole number as NumberIntVal (an int64) or SetInt (a big.Int) makes it: at least 64 bits. */
export function fromInteger(n: number | bigint): TerraformNumber {
  const big = BigInt(n);
  return make(inRange(new Exact(big.toString())), Math.max(bitLength(big), PREC.int));
}

/** A float64 as NumberFloatVal makes it: its exact value, 53 bits. NaN is Terraform's panic. */
export function fromFloat64(x: number): TerraformNumber {
  if (Number.isNaN(x)) throw new NumberError('the result is not a number');
  if (!Number.isFinite(x) || Number.isSafeInteger(x) || x === 0) return make(new Exact(x), PREC.float64);
  const [fraction, exp] = frexp(x);
  // fraction × 2^53 is a whole number: the exact value needs no rounding.
  return make(new Exact(fraction * 2 ** 53).times(pow2(exp - 53)), PREC.float64);
}

const GO_FLOAT = /^([+-]?)(?:(inf|Inf)|(\d*)(?:\.(\d*))?(?:([eEpP])([+-]?\d+))?)$/;

/**
 * Go's big.ParseFloat(text, 10, 512, ToNearestEven), which cty uses for number literals
 * and for strings converted to numbers: decimal digits with an optional point and an
 * exponent (e for tens, p for twos), or inf; nothing else (no spaces, no hex, no
 * underscores, no "Infinity"). Go divides by (or multiplies with) a power of five that
 * it rounds to 576 bits once it exceeds 5^27, and so does this. Undefined where Go
 * fails; Unevaluated out of range.
 */
export function parseNumber(text: string): TerraformNumber | undefined {
  const m = GO_FLOAT.exec(text);
  if (!m) return undefined;
  const [, sign, inf, int = '', frac = '', base] = m;
  const expText = m.at(6);
  const negative = sign === '-';
  if (inf) return make(new Exact(negative ? -Infinity : Infinity), PREC.parsed);
  if (!int && !frac) return undefined;
  const exp = expText === undefined ? 0 : Number(expText);
  if (!Number.isSafeInteger(exp)) return undefined;
  const digits = (int + frac).replace(/^0+/, '');
  if (!digits) return make(new Exact(negative ? -0 : 0), PREC.parsed);
  const binary = base === 'p' || base === 'P';
  // A whole number below 10^154 < 2^512 is held as it is.
  if (!frac && !exp && digits.length <= 154) return make(new Exact(negative ? `-${digits}` : digits), PREC.parsed);
  // Go fails when the binary exponent of the digits read as a whole number is beyond an int32.
  // Bounds of it suffice: where they do not tell, the number is far beyond the range evaluated.
  const low = Math.floor((digits.length - 1) * Math.log2(10)) + 1 - frac.length + exp;
  const high = Math.ceil(digits.length * Math.log2(10)) - frac.length + exp;
  if (low > 2 ** 31 - 1 || high < -(2 ** 31)) return undefined;
  if (Math.abs(digits.length - 1 - frac.length + (binary ? exp * Math.log10(2) : exp)) > MAX_DECIMAL_EXPONENT + 1) throw beyondRange();
  // So many digits that the powers of five alone would be huge.
  if (digits.replace(/0+$/, '').length > MAX_DIGITS || frac.length > MAX_DIGITS + MAX_DECIMAL_EXPONENT) {
    throw new Unevaluated(`a number written with more than ${MAX_DIGITS} significant digits is not evaluated`);
  }
  const mantissa = new Exact(digits);
  const twos = -frac.length + exp;
  const fives = -frac.length + (binary ? 0 : exp);
  const scaled = mantissa.times(pow2(twos));
  const value =
    fives === 0
      ? roundBits(scaled, PREC.parsed)
      : fives < 0
        ? roundQuotient(scaled, pow5(-fives), PREC.parsed)
        : roundBits(scaled.times(pow5(fives)), PREC.parsed);
  return make(negative ? value.neg() : value, PREC.parsed);
}

/** Go's Float.pow5 at 576 bits (the parser's precision + 64): exact up to 5^27, then rounded products. */
function pow5(n: number): Decimal {
  if (n <= 27) return new Exact(5).pow(n);
  let z = new Exact(5).pow(27);
  let f = new Exact(5);
  for (let k = n - 27; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) z = nearest(z.times(f), PREC.parsed + 64);
    f = nearest(f.times(f), PREC.parsed + 128);
  }
  return z;
}

// ---------------------------------------------------------------------------
// Arithmetic, as cty's operations on big.Float.

const larger = (a: TerraformNumber, b: TerraformNumber) => Math.max(a.prec, b.prec);

function opposingInfinities(a: Decimal, b: Decimal): boolean {
  return !a.isFinite() && !b.isFinite() && a.s !== b.s;
}

export function add(a: TerraformNumber, b: TerraformNumber): TerraformNumber {
  if (opposingInfinities(a.value, b.value)) throw new NumberError("can't compute sum of opposing infinities");
  return make(roundBits(a.value.plus(b.value), larger(a, b)), larger(a, b));
}

export function subtract(a: TerraformNumber, b: TerraformNumber): TerraformNumber {
  if (opposingInfinities(a.value, b.value.neg())) throw new NumberError("can't subtract infinity from itself");
  return add(a, negate(b));
}

/** Rounded to 512 bits, then kept at the larger precision or the bits the product needs. */
export function multiply(a: TerraformNumber, b: TerraformNumber): TerraformNumber {
  if ((a.value.isZero() && !b.value.isFinite()) || (b.value.isZero() && !a.value.isFinite()))
    throw new NumberError("can't multiply zero by infinity");
  const value = roundBits(a.value.times(b.value), PREC.parsed);
  return make(value, Math.max(larger(a, b), minPrec(value, PREC.parsed)));
}

/** x / 0 is ±Inf, as in Terraform; 0 / 0 and ∞ / ∞ fail. */
export function divide(a: TerraformNumber, b: TerraformNumber): TerraformNumber {
  const [x, y] = [a.value, b.value];
  if ((x.isZero() && y.isZero()) || (!x.isFinite() && !y.isFinite()))
    throw new NumberError("can't divide zero by zero or infinity by infinity");
  const value = x.isFinite() && y.isFinite() && !y.isZero() ? roundQuotient(x, y, larger(a, b)) : x.div(y);
  return make(value, larger(a, b));
}

/** cty's Modulo: a - b × trunc(a / b), each step rounded to a's precision; x % 0 is x, an infinity fails. */
export function modulo(a: TerraformNumber, b: TerraformNumber): TerraformNumber {
  if (b.value.isZero()) return a;
  if (!a.value.isFinite() || !b.value.isFinite()) throw new NumberError("can't use modulo with zero and infinity");
  const quotient = divide(a, b).value.trunc();
  const product = roundBits(b.value.times(roundBits(quotient, a.prec)), a.prec);
  return make(roundBits(a.value.minus(product), a.prec), a.prec);
}

export function negate(a: TerraformNumber): TerraformNumber {
  return make(a.value.neg(), a.prec);
}

export function absolute(a: TerraformNumber): TerraformNumber {
  return make(a.value.abs(), a.prec);
}

/** floor and ceil: the whole number, rounded to the argument's precision (ceil(-0.5) is 0). */
export function floor(a: TerraformNumber): TerraformNumber {
  return a.value.isFinite() ? make(roundBits(stripSign(a.value.floor()), a.prec), a.prec) : a;
}

export function ceil(a: TerraformNumber): TerraformNumber {
  return a.value.isFinite() ? make(roundBits(stripSign(a.value.ceil()), a.prec), a.prec) : a;
}

/** big.Int has no negative zero. */
const stripSign = (d: Decimal) => (d.isZero() ? new Exact(0) : d);

export function compare(a: TerraformNumber, b: TerraformNumber): number {
  return a.value.cmp(b.value);
}

export const isWhole = (a: TerraformNumber) => a.value.isFinite() && a.value.isInteger();

/** The exact whole number, or undefined for a fraction or an infinity. */
export function toBigInt(a: TerraformNumber): bigint | undefined {
  if (!isWhole(a)) return undefined;
  if (a.value.e > MAX_TEXT_DIGITS) throw new Unevaluated(`a number written with more than ${MAX_TEXT_DIGITS} digits is not evaluated`);
  return BigInt(a.value.toFixed(0));
}

/** A whole number in int64's range (gocty's conversion to int), as a JavaScript number; undefined otherwise. */
export function toInt64(a: TerraformNumber): number | undefined {
  if (!isWhole(a) || a.value.abs().gte(pow2(63))) return undefined;
  return Number(a.value.toFixed(0));
}

/** big.Float's Float64: the nearest double. */
export function toFloat64(a: TerraformNumber): number {
  if (a.value.isZero()) return a.value.isNeg() ? -0 : 0;
  return a.value.isFinite() ? Number(a.value.toExponential()) : a.value.s * Infinity;
}

// ---------------------------------------------------------------------------
// pow: cty converts both arguments to float64 and calls Go's math.Pow (go-math.ts).

export function power(a: TerraformNumber, b: TerraformNumber): TerraformNumber {
  return fromFloat64(goPow(toFloat64(a), toFloat64(b)));
}
