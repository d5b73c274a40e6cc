// The part of the WebAssembly JS API that tagguard uses: Node has it, but TypeScript
// declares it only in the DOM libraries, which a Node program should not pull in.
// Module and WebAssemblyInstantiatedSource are host objects tagguard only passes along, never reads:
/* eslint-disable @typescript-eslint/no-empty-object-type -- opaque host types, interfaces so that they merge with lib.dom's declarations should a program include it */
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
