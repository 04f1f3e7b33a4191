import type { LookupFunction } from "node:net";
import type { EgressPolicy } from "./policy.js";

/**
 * A `net.connect` lookup that resolves the host once through the policy and hands the socket exactly the
 * addresses it checked. The check and the connection share one resolution, so a name that answers a public
 * address to a first query and a private one to the next (DNS rebinding) cannot slip between them.
 */
export function pinnedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    policy.resolve(hostname).then(
      (addresses) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const usable =
          family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        const first = usable[0];
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${family} address`);
          error.code = "ENOTFOUND";
          callback(error, "", 0);
        } else if (options.all) {
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}
