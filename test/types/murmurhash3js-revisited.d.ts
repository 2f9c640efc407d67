// The package ships no types; only the function the hash test cross-checks against is declared.
declare module 'murmurhash3js-revisited' {
  export const x86: { hash128(bytes: Uint8Array, seed?: number): string };
}
