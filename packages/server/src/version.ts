import { version } from "../package.json";

/** The version of this package, inlined at build time (reported by the CopilotKit `/info` route). */
export const SERVER_VERSION: string = version;
