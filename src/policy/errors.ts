/** A policy that cannot be read, loaded or evaluated (its own module, so that the CLI can test for it without loading the WASM runtime). */
export class PolicyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
  }
}
