import type http from "node:http";
import type https from "node:https";
import type { Agent } from "undici";
import { guardedDispatcher, guardedNodeAgents } from "./agents.js";
import { egressRefusalOf } from "./errors.js";
import { type EgressRequestInit, fetchThroughPolicy } from "./fetch.js";
import { type EgressOptions, EgressPolicy } from "./policy.js";

/** How long a check at configuration time waits for DNS before leaving the name to the connection check. */
const VERIFY_TIMEOUT_MS = 5_000;

/**
 * Outbound HTTP for connectors, under one EgressPolicy: a fetch whose connections are resolved once, checked
 * and pinned (and whose redirects are followed and checked hop by hop), node:http agents with the same
 * guarantees, and an up-front check of a configured URL. Default: public addresses only.
 */
export class Egress {
  readonly policy: EgressPolicy;
  private dispatcher: Agent | undefined;

  constructor(options: EgressOptions | EgressPolicy = {}) {
    this.policy = isPolicy(options) ? options : new EgressPolicy(options);
  }

  /**
   * The Egress given, or one built from options. Duck-typed rather than `instanceof`: an Egress from the CJS
   * build of this package is just as good in the ESM build.
   */
  static from(value: EgressOptions | EgressPolicy | Egress | undefined): Egress {
    if (value && typeof (value as Egress).fetch === "function" && "policy" in value) return value as Egress;
    return new Egress(value as EgressOptions | EgressPolicy | undefined);
  }

  fetch(url: string | URL, init?: EgressRequestInit): Promise<Response> {
    this.dispatcher ??= guardedDispatcher(this.policy);
    return fetchThroughPolicy(this.policy, this.dispatcher, url, init);
  }

  /** Fresh http/https agents (their owner destroys them, as the AWS SDK does when its client is destroyed). */
  nodeAgents(): { httpAgent: http.Agent; httpsAgent: https.Agent } {
    return guardedNodeAgents(this.policy);
  }

  /**
   * Configuration-time check of a URL: the static checks, then the host's addresses. A name that does not
   * resolve now (or not within 5 s) passes: it may resolve later, and every connection is checked anyway.
   */
  async verifyUrl(url: string | URL): Promise<void> {
    const parsed = this.policy.checkUrl(url);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), VERIFY_TIMEOUT_MS);
      timer.unref();
    });
    try {
      await Promise.race([this.policy.resolve(parsed.hostname), timeout]);
    } catch (error) {
      const refusal = egressRefusalOf(error);
      if (refusal) throw refusal;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
    this.dispatcher = undefined;
  }
}

function isPolicy(value: EgressOptions | EgressPolicy): value is EgressPolicy {
  return typeof (value as EgressPolicy).checkUrl === "function";
}
