/** Values the e2e global setup hands to the test files (vitest `provide` / `inject`). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The production site reading the hand-made fixture database. */
    fixtureUrl: string;
    /** The production site reading `bareDbFile`, which does not exist when the tests start. */
    bareUrl: string;
    bareDbFile: string;
  }
}

export {};
