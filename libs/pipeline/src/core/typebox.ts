// TypeBox, through one module: the build bundles this file's compiled copy with TypeBox inside
// (scripts/bundle-vendor.mjs), so a process or engine worker loads one file instead of TypeBox's ~200
// (measured: 16 ms instead of 105-146 ms per thread). Import TypeBox from here, never from the package.
export * from '@sinclair/typebox';
export { Value } from '@sinclair/typebox/value';
