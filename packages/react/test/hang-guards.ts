/**
 * `waitFor`/`findBy*` are hang guards, not latency assertions: their 1 s default fails on a loaded 2-core CI
 * machine while a real server and PGlite answer the hooks under test. A wrong expectation still fails.
 * Testing Library binds `screen` to the document when it is first imported, so it is loaded only once a DOM
 * exists: here for jsdom-environment files (a setup file), from dom-in-node.ts for the node-environment ones.
 */
export async function configureHangGuards(): Promise<void> {
  const { configure } = await import("@testing-library/react");
  configure({ asyncUtilTimeout: 15_000 });
}

if (typeof document !== "undefined") await configureHangGuards();
