import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** --max-file-size's default: every input a scanned tree names is read up to this unless told otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** A text file, or why it is not one that may be read, with the place of the first bad byte. */
export type ReadResult = { ok: true; text: string } | { ok: false; message: string; line?: number; column?: number };

/** 20.0 MiB, 3.2 KiB, 100 bytes; a limit (`whole`) as 10 MiB when it is a whole number of units. */
export function size(bytes: number, whole = false): string {
  for (const [unit, n] of [
    ['MiB', 1024 * 1024],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= n) return `${whole && bytes % n === 0 ? bytes / n : (bytes / n).toFixed(1)} ${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * The one reader of every input a scanned tree can name (.tf files, tfvars, plans,
 * baselines, configuration, .gitignore, manifests, the workspace file): opened without blocking, so a FIFO cannot stall the scan; only a
 * regular file; never more than `maxBytes` read, even where the size the system gives
 * is wrong (files in /proc say 0); UTF-8 only, as Terraform reads.
 */
export function readTextFile(file: string, maxBytes: number, limitName = '--max-file-size'): ReadResult {
  const read = readBytes(file, maxBytes, limitName);
  if (!read.ok) return read;
  const bytes = read.bytes;
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    return {
      ok: false,
      message: `not valid UTF-8 text (byte 0x${bytes[at.offset].toString(16).padStart(2, '0').toUpperCase()}); Terraform reads only UTF-8`,
      line: at.line,
      column: at.column,
    };
  }
  try {
    return { ok: true, text: bytes.toString('utf8') };
  } catch (e) {
    return { ok: false, message: `cannot read the file: ${(e as Error).message}` };
  }
}

/** As readTextFile, for bytes that need not be text (a policy bundle). */
export function readBytes(
  file: string,
  maxBytes: number,
  limitName = '--max-file-size',
): { ok: true; bytes: Buffer } | { ok: false; message: string } {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, message: 'not a regular file' };
    const limit = `the ${size(maxBytes, true)} limit (${limitName})`;
    if (stat.size > maxBytes) return { ok: false, message: `file is ${size(stat.size)}, over ${limit}` };
    // The size the system gave was wrong (files in /proc say 0): what was read is all that is known.
    const over = { ok: false as const, message: `file is larger than ${limit}` };
    // One byte more than the size the system gives shows whether it was right; a file that says 0 (/proc) starts at 4 KiB and grows.
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, stat.size > 0 ? stat.size + 1 : 4096));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return over;
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) return over;
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (e) {
    return { ok: false, message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The 1-based place of the first byte that is not part of a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): { offset: number; line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length || !isUtf8(bytes.subarray(i, i + length))) return { offset: i, line, column };
    if (b === 0x0a) {
      line++;
      column = 1;
    } else column += length === 4 ? 2 : 1;
    i += length;
  }
  return { offset: 0, line: 1, column: 1 };
}
