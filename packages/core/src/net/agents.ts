import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { Agent, buildConnector } from "undici";
import { pinnedLookup } from "./lookup.js";
import type { EgressPolicy } from "./policy.js";

/**
 * Each connection is checked twice: before it opens (an IP-literal host is judged as it is — `net.connect`
 * skips the lookup for literals — and a name goes through the pinned lookup) and once it is open (the peer
 * address the socket really reached, before any request byte is written).
 */

/** An undici dispatcher for fetch whose every connection goes through the policy. */
export function guardedDispatcher(policy: EgressPolicy): Agent {
  const base = buildConnector({ lookup: pinnedLookup(policy) });
  const connect: buildConnector.connector = (options, callback) => {
    try {
      policy.checkHost(options.hostname);
    } catch (error) {
      callback(error as Error, null);
      return;
    }
    base(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error("no socket"), null);
      try {
        policy.checkConnected(options.hostname, socket.remoteAddress);
      } catch (refused) {
        socket.destroy();
        return callback(refused as Error, null);
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect });
}

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/** `createConnection` for http(s).Agent subclasses: refuse a literal up front, verify the peer on connect. */
function guardedConnection(
  policy: EgressPolicy,
  create: (options: http.ClientRequestArgs, callback?: ConnectionCallback) => Duplex | null | undefined,
  options: http.ClientRequestArgs,
  callback?: ConnectionCallback,
): Duplex | null | undefined {
  const host = options.hostname ?? options.host ?? "localhost";
  try {
    policy.checkHost(host);
  } catch (error) {
    if (!callback) throw error;
    // Reported like a connection error: the request emits it.
    callback(error as Error, undefined as unknown as Duplex);
    return undefined;
  }
  const socket = create(options, callback) as Socket | null | undefined;
  // Prepended: runs before the queued request bytes are flushed on "connect".
  socket?.prependOnceListener("connect", () => {
    try {
      policy.checkConnected(host, socket.remoteAddress);
    } catch (refused) {
      socket.destroy(refused as Error);
    }
  });
  return socket;
}

class GuardedHttpAgent extends http.Agent {
  constructor(private readonly policy: EgressPolicy) {
    super({ keepAlive: true, lookup: pinnedLookup(policy) });
  }
  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback) {
    return guardedConnection(this.policy, (o, cb) => super.createConnection(o, cb), options, callback);
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(private readonly policy: EgressPolicy) {
    super({ keepAlive: true, lookup: pinnedLookup(policy) });
  }
  override createConnection(options: https.RequestOptions, callback?: ConnectionCallback) {
    return guardedConnection(this.policy, (o, cb) => super.createConnection(o, cb), options, callback);
  }
}

/** http/https agents (for clients built on node:http, such as the AWS SDK's NodeHttpHandler). */
export function guardedNodeAgents(policy: EgressPolicy): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  return { httpAgent: new GuardedHttpAgent(policy), httpsAgent: new GuardedHttpsAgent(policy) };
}
