/** The generated files, relative to the package root. */
export const OUTPUTS: { header: string; typescript: string };
/** native/src/ops.h as native/ops.json and the package version make it. */
export function renderHeader(): string;
/** src/native/ops.ts as native/ops.json makes it. */
export function renderTypeScript(): string;
