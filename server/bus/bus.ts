/**
 * The event bus between server instances. Messages carry the sender's instance id and
 * a bus never hands an instance its own message back, so nothing echoes.
 */
export type BusHandler = (data: unknown, fromInstance: string) => void;

export interface ChannelOptions {
  /**
   * A shard channel (Redis 7 SPUBLISH/SSUBSCRIBE): it lives on the Cluster slot of its hash
   * tag, so a script on that slot can publish to it and count its subscribers exactly.
   * Publisher and subscribers of a channel must agree on this.
   */
  shard?: boolean;
}

export interface Bus {
  readonly instanceId: string;
  /** `echo`: this instance's own subscribers hear it too (a reply to a request made here). */
  publish(channel: string, data: unknown, opts?: { echo?: boolean } & ChannelOptions): Promise<void>;
  /** Publishes as `publish` does; resolves to how many instances are subscribed (this one included). */
  publishAndCount(channel: string, data: unknown, opts?: { echo?: boolean } & ChannelOptions): Promise<number>;
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(channel: string, handler: BusHandler, opts?: ChannelOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Wire envelope; kept tiny because every relayed frame pays for it. */
export interface BusEnvelope {
  i: string;
  d: unknown;
}
