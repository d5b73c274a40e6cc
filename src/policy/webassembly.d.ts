// The part of the WebAssembly JS API that tagguard uses: Node has it, but TypeScript
// declares it only in the DOM libraries, which a Node program should not pull in.
declare namespace WebAssembly {
  interface Module {}
  /** Synchronous compilation: for the CDKTF aspect, which runs inside synth. */
  const Module: new (bytes: ArrayBufferView | ArrayBuffer) => Module;
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
  }
  interface WebAssemblyInstantiatedSource {}
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
