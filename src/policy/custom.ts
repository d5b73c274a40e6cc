import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import {
  compile,
  descriptorEntrypoint,
  entrypointsByRole,
  evaluationError,
  MAX_POLICY_MEMORY_PAGES,
  policyName,
  rawFindings,
  ruleDescriptors,
  asList,
  type PolicySource,
  type RawFinding,
  type RuleDescriptor,
} from './engine';
import { checkResult } from './custom-results';
import { PolicyError } from './errors';

/** How long one custom policy may take in one scan, loading and every entry point together (--policy-timeout). */
export const DEFAULT_POLICY_TIMEOUT_MS = 30_000;

/** The JavaScript heap of a custom policy's worker (its WebAssembly memory is capped apart: MAX_POLICY_MEMORY_PAGES). */
const WORKER_HEAP_MB = 512;

/**
 * The worker's code, plain CommonJS so that it runs the same from src/ (ts-jest) and
 * dist/: it instantiates the compiled module with the opa-wasm SDK, whose path the
 * host resolves, and answers one evaluation per message on its own port, with the
 * time the evaluation took there. Rego `print` and console output are kept with the
 * answer, never written to stdout (GitHub reads workflow commands there).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { answers } = workerData;
const printed = [];
for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table']) console[name] = (...args) => printed.push(args.map(String).join(' '));
for (const stream of [process.stdout, process.stderr]) stream.write = (chunk, ...rest) => (printed.push(String(chunk)), typeof rest.at(-1) === 'function' && rest.at(-1)(), true);
const print = {
  'internal.print': (args) => {
    printed.push(args.map((set) => (Array.isArray(set) ? set.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ') : '<undefined>')).join(' '));
    return true;
  },
};
const failure = (e) => ({ message: typeof e === 'string' ? e : String((e && e.message) ?? JSON.stringify(e)), range: e instanceof RangeError });
const answer = (id, started, fields) => answers.postMessage({ id, ...fields, printed: printed.splice(0, printed.length), ms: performance.now() - started });
let policy;
const started = performance.now();
try {
  const { loadPolicySync } = require(workerData.sdk);
  policy = loadPolicySync(workerData.module, { initial: 5, maximum: workerData.pages }, print);
  policy.setData(workerData.data);
  answer(-1, started, { entrypoints: Object.keys(policy.entrypoints || {}) });
} catch (e) {
  answer(-1, started, { error: failure(e) });
}
parentPort.on('message', ({ id, input, entrypoint }) => {
  const started = performance.now();
  try {
    const results = policy.evaluate(input, entrypoint);
    answer(id, started, { result: results[0] && results[0].result });
  } catch (e) {
    answer(id, started, { error: failure(e) });
  }
});
`;

/** The worker's answer to one request, with the milliseconds it took there; id -1 answers the loading, with the entry points. */
interface Answer {
  id: number;
  result?: unknown;
  entrypoints?: string[];
  error?: { message: string; range: boolean };
  printed: string[];
  ms: number;
}

/** The id of the worker's first answer, sent once the policy is instantiated. */
const LOADED = -1;

/**
 * A policy given with --policy or named by .tagguard.yml. It is code from the
 * repository, so it runs in a worker thread with a time limit for the whole scan:
 * one that runs out is stopped (the worker is terminated) and reported as an input
 * error naming it. The built-in policy stays in-process (policy/engine.ts): it is
 * trusted and fast.
 *
 * The time counted is the worker's own, so that this thread being busy (finding and
 * parsing files while the policy loads) is not charged to the policy; when the timer
 * fires, an answer already waiting on the port is taken before the worker is judged.
 */
export class CustomPolicy {
  /** What Rego `print` wrote; it never reaches stdout. */
  readonly printed: string[] = [];
  /** Milliseconds the worker has spent loading and evaluating. */
  private spent = 0;
  private stopped: PolicyError | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private entrypointNames: string[] = [];
  private descriptors: RuleDescriptor[] | undefined;
  private readonly described = new Map<string, RuleDescriptor | undefined>();

  private constructor(
    private readonly worker: Worker,
    private readonly answers: MessagePort,
    /** The policy as the user gave it (a path, or `<ref>:<path>`): errors name it. */
    readonly name: string,
    /** Where the policy comes from, as rule descriptors record it: an absolute path, or `<ref>:<path>`. */
    readonly source: string,
    private readonly timeoutMs: number,
    private readonly memoryLimit: number,
  ) {
    answers.on('message', (m: Answer) => {
      this.settle(m);
    });
    worker.on('error', (e) => {
      this.stop(asPolicyError(e, `policy ${this.name} failed`));
    });
    worker.on('exit', () => {
      this.stop(new PolicyError(`policy ${this.name} stopped unexpectedly`));
    });
    // Neither keeps the process alive (a listener refs the port): a pending request's timer does.
    worker.unref();
    answers.unref();
  }

  /** Compiles the policy here and instantiates it in its worker; instantiating counts against the time limit. */
  static async load(
    source: PolicySource,
    options: { name?: string; timeoutMs?: number; maxMemoryPages?: number } = {},
  ): Promise<CustomPolicy> {
    const { module, data } = await compile(source);
    const pages = options.maxMemoryPages ?? MAX_POLICY_MEMORY_PAGES;
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sdk: require.resolve('@open-policy-agent/opa-wasm'), module, data: data ?? {}, pages, answers: port2 },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const policy = new CustomPolicy(
      worker,
      port1,
      options.name ?? policyName(source),
      policyName(source),
      options.timeoutMs ?? DEFAULT_POLICY_TIMEOUT_MS,
      pages * 64 * 1024,
    );
    try {
      const loaded = await policy.ask(LOADED, 'loading', () => undefined);
      if (loaded.error) throw new PolicyError(`cannot load policy ${policy.name}: ${loaded.error.message}`);
      policy.entrypointNames = loaded.entrypoints ?? [];
      return policy;
    } catch (e) {
      policy.close();
      throw e;
    }
  }

  /** Evaluates one entry point over the whole input document in the worker. */
  async evaluate(input: unknown, entrypoint: string): Promise<unknown> {
    const id = this.nextId++;
    const answer = await this.ask(id, entrypoint, () => {
      this.worker.postMessage({ id, input, entrypoint });
    });
    if (answer.error)
      throw evaluationError(
        answer.error.range ? new RangeError(answer.error.message) : answer.error.message,
        this.name,
        entrypoint,
        this.memoryLimit,
      );
    return answer.result;
  }

  async rules(): Promise<RuleDescriptor[]> {
    if (!this.descriptors) {
      const results: unknown[] = [];
      for (const e of entrypointsByRole(this.entrypointNames, 'rules'))
        results.push(checkResult('descriptor', await this.evaluate({}, e), this.name, e));
      this.descriptors = ruleDescriptors(results, this.source);
    }
    return this.descriptors;
  }

  /** Findings of each `<package>/deny`; ruleId and severity default to the package's `rule`. */
  async findings(input: unknown): Promise<RawFinding[]> {
    const out: RawFinding[] = [];
    for (const entrypoint of entrypointsByRole(this.entrypointNames, 'findings')) {
      const rule = descriptorEntrypoint(entrypoint);
      const descriptor = rule && this.entrypointNames.includes(rule) ? await this.descriptor(rule) : undefined;
      out.push(
        ...rawFindings(checkResult('finding', await this.evaluate(input, entrypoint), this.name, entrypoint), entrypoint, descriptor),
      );
    }
    return out;
  }

  /** Ends the worker; the policy cannot be evaluated afterwards. */
  close(): void {
    this.stop(new PolicyError(`policy ${this.name} is closed`));
  }

  /** The first descriptor a `<package>/rule` entry point returns, evaluated once. */
  private async descriptor(entrypoint: string): Promise<RuleDescriptor | undefined> {
    if (!this.described.has(entrypoint))
      this.described.set(
        entrypoint,
        asList<RuleDescriptor>(checkResult('descriptor', await this.evaluate({}, entrypoint), this.name, entrypoint))[0],
      );
    return this.described.get(entrypoint);
  }

  /** Sends a request (none for the loading) and waits for its answer within what is left of the time limit; past it the worker is stopped. */
  private ask(id: number, doing: string, send: () => void): Promise<Answer> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          // This thread may have been busy while the answer came: take what is waiting before judging.
          for (let m = receiveMessageOnPort(this.answers); m; m = receiveMessageOnPort(this.answers)) this.settle(m.message as Answer);
          if (!this.pending.has(id)) return;
          const seconds = this.timeoutMs / 1000;
          this.stop(
            new PolicyError(
              `policy ${this.name} did not finish within ${seconds} s (--policy-timeout) and was stopped at ${doing}; its findings are not reported`,
            ),
          );
        },
        Math.max(0, this.timeoutMs - this.spent),
      );
      const done = () => {
        clearTimeout(timer);
      };
      this.pending.set(id, {
        resolve: (a) => {
          done();
          resolve(a);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      send();
    });
  }

  private settle(answer: Answer): void {
    this.spent += answer.ms;
    this.printed.push(...answer.printed);
    const waiting = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    waiting?.resolve(answer);
  }

  /** Stops the worker for good: every request waiting, and every later one, fails with this error (the first one given). */
  private stop(error: PolicyError): void {
    this.stopped ??= error;
    for (const { reject } of this.pending.values()) reject(this.stopped);
    this.pending.clear();
    this.answers.close();
    void this.worker.terminate();
  }
}

function asPolicyError(e: Error, doing: string): PolicyError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code === 'ERR_WORKER_OUT_OF_MEMORY' ? `its JavaScript heap is capped at ${WORKER_HEAP_MB} MiB` : e.message;
  return new PolicyError(`${doing}: ${reason}`, { cause: e });
}
