// jstat ships no types; these are the two distributions usibench uses. It is CommonJS, so Node's
// ESM loader hands it over as the default export.
declare module 'jstat' {
  const jstat: {
    jStat: {
      studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number };
      normal: { cdf(x: number, mean: number, sd: number): number };
    };
  };
  export default jstat;
}
