import type Decimal from 'decimal.js';
import { Exact, exponent2, isWhole, MAX_TEXT_DIGITS, pow2, Unevaluated, type TerraformNumber } from './number';

/**
 * Terraform's numbers as text, after Go's big.Float Text and Append: the shortest text
 * that reads back as the same number at its precision (tostring, templates, jsonencode
 * write Text('f', -1), format's %v Text('g', -1)), and %e, %f and %g with a precision,
 * rounded half to even on the exact decimal value.
 */

/** A decimal as Go's math/big holds one: the value is 0.mant × 10^exp, mant without trailing zeros. */
interface GoDecimal {
  mant: string;
  exp: number;
}

function goDecimal(abs: Decimal): GoDecimal {
  if (abs.isZero()) return { mant: '', exp: 0 };
  const [m, e] = abs.toExponential().split('e');
  return { mant: m.replace('.', '').replace(/0+$/, ''), exp: Number(e) + 1 };
}

const digitAt = (d: GoDecimal, i: number) => (i >= 0 && i < d.mant.length ? d.mant[i] : '0');

function trimmed(d: GoDecimal): GoDecimal {
  const mant = d.mant.replace(/0+$/, '');
  return mant ? { mant, exp: d.exp } : { mant: '', exp: 0 };
}

function roundDown(d: GoDecimal, n: number): GoDecimal {
  if (n < 0 || n >= d.mant.length) return d;
  return trimmed({ mant: d.mant.slice(0, n), exp: d.exp });
}

function roundUp(d: GoDecimal, n: number): GoDecimal {
  if (n < 0 || n >= d.mant.length) return d;
  while (n > 0 && d.mant[n - 1] >= '9') n--;
  if (n === 0) return { mant: '1', exp: d.exp + 1 };
  return { mant: d.mant.slice(0, n - 1) + String(Number(d.mant[n - 1]) + 1), exp: d.exp };
}

/** Half to even on the exact digits. */
function round(d: GoDecimal, n: number): GoDecimal {
  if (n < 0 || n >= d.mant.length) return d;
  const half = d.mant[n] === '5' && n + 1 === d.mant.length;
  const up = half ? n > 0 && Number(d.mant[n - 1]) % 2 === 1 : d.mant[n] >= '5';
  return up ? roundUp(d, n) : roundDown(d, n);
}

/** The fewest digits that still read back as x at its precision (Go's roundShortest). */
function roundShortest(d: GoDecimal, abs: Decimal, prec: number): GoDecimal {
  if (!d.mant) return d;
  // A whole number that needs no rounding is its own shortest text.
  if (abs.isInteger() && abs.lt(pow2(prec))) return d;
  const e = exponent2(abs);
  const half = pow2(e - prec);
  const lower = goDecimal(abs.minus(half));
  const upper = goDecimal(abs.plus(half));
  const inclusive = abs
    .times(pow2(prec - 1 - e))
    .mod(2)
    .isZero();
  for (let i = 0; i < d.mant.length; i++) {
    const [l, m, u] = [digitAt(lower, i), d.mant[i], digitAt(upper, i)];
    const okDown = l !== m || (inclusive && i + 1 === lower.mant.length);
    const okUp = m !== u && (inclusive || Number(m) + 1 < Number(u) || i + 1 < upper.mant.length);
    if (okDown && okUp) return round(d, i + 1);
    if (okDown) return roundDown(d, i + 1);
    if (okUp) return roundUp(d, i + 1);
  }
  return d;
}

function fmtF(d: GoDecimal, prec: number): string {
  let out = d.exp > 0 ? d.mant.slice(0, d.exp).padEnd(d.exp, '0') : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.exp + i);
  }
  return out;
}

function fmtE(d: GoDecimal, e: 'e' | 'E', prec: number): string {
  let out = d.mant.at(0) ?? '0';
  if (prec > 0) out += '.' + d.mant.slice(1, prec + 1).padEnd(prec, '0');
  const exp = d.mant ? d.exp - 1 : 0;
  return `${out}${e}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

export type TextFormat = 'e' | 'E' | 'f' | 'g' | 'G';

/**
 * Go's big.Float Text(format, prec): prec < 0 is the shortest text that reads back
 * as the same number. Terraform writes numbers with Text('f', -1) (tostring, templates,
 * jsonencode) and Text('g', -1) (format's %v).
 */
export function goText(a: TerraformNumber, format: TextFormat, prec: number): string {
  const x = a.value;
  const sign = x.isNeg() ? '-' : '';
  if (!x.isFinite()) return x.s < 0 ? '-Inf' : '+Inf';
  const abs = x.abs();
  // Written out in full, a number has about as many digits as its exponent says.
  if (prec > MAX_TEXT_DIGITS || (format === 'f' && !abs.isZero() && Math.abs(abs.e) > MAX_TEXT_DIGITS)) {
    throw new Unevaluated(`a number written with more than ${MAX_TEXT_DIGITS} digits is not evaluated`);
  }
  let d = goDecimal(abs);
  const shortest = prec < 0;
  if (shortest) {
    d = roundShortest(d, abs, a.prec);
    prec = format === 'e' || format === 'E' ? d.mant.length - 1 : format === 'f' ? Math.max(d.mant.length - d.exp, 0) : d.mant.length;
  } else if (format === 'e' || format === 'E') d = round(d, 1 + prec);
  else if (format === 'f') d = round(d, d.exp + prec);
  else {
    if (prec === 0) prec = 1;
    d = round(d, prec);
  }
  if (format === 'e' || format === 'E') return sign + fmtE(d, format, prec);
  if (format === 'f') return sign + fmtF(d, prec);
  let eprec = prec;
  if (eprec > d.mant.length && d.mant.length >= d.exp) eprec = d.mant.length;
  if (shortest) eprec = 6;
  const exp = d.exp - 1;
  if (exp < -4 || exp >= eprec) return sign + fmtE(d, format === 'g' ? 'e' : 'E', Math.min(prec, d.mant.length) - 1);
  if (prec > d.exp) prec = d.mant.length;
  return sign + fmtF(d, Math.max(prec - d.exp, 0));
}

/** The JavaScript number whose shortest text denotes the same decimal as Terraform's text; undefined if there is none. */
export function toJsNumber(a: TerraformNumber): number | undefined {
  if (!a.value.isFinite()) return undefined;
  const text = numberText(a);
  const js = Number(text);
  return new Exact(String(js)).eq(new Exact(text)) ? js : undefined;
}

/** How Terraform writes a number as a string: `1e3` is "1000", `0.1 + 0.2` is "0.3", `1/0` is "+Inf". */
export function numberText(a: TerraformNumber): string {
  return goText(a, 'f', -1);
}

/**
 * cty's equality: two whole numbers are equal when their values are; otherwise when
 * their shortest texts are, each at its own precision (so a 53-bit result of pow equals
 * the 512-bit literal that prints the same), -0 equal to 0.
 */
export function numbersEqual(a: TerraformNumber, b: TerraformNumber): boolean {
  if (Math.sign(a.value.isZero() ? 0 : a.value.s) !== Math.sign(b.value.isZero() ? 0 : b.value.s)) return false;
  const [x, y] = [isWhole(a), isWhole(b)];
  if (x !== y) return false;
  if (x) return a.value.eq(b.value);
  return numberText(a) === numberText(b);
}
