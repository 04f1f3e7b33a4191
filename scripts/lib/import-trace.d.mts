export interface ColdImport {
  /** Milliseconds `import()` took in the child (Node startup excluded). */
  ms: number;
  /** CPU time (user + system) the import used in the child. */
  cpuMs: number;
  /** URLs of every module resolved (only with `trace: true`). */
  modules: string[];
}
export function coldImport(
  specifier: string,
  options?: { cwd?: string; trace?: boolean; timeoutMs?: number },
): ColdImport;
export function packagesOf(modules: readonly string[]): string[];
