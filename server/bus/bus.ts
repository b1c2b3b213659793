/**
 * The event bus between server instances. Messages carry the sender's instance id and
 * a bus never hands an instance its own message back, so nothing echoes.
 */
export type BusHandler = (data: unknown, fromInstance: string) => void;

export interface Bus {
  readonly instanceId: string;
  /** `echo`: this instance's own subscribers hear it too (a reply to a request made here). */
  publish(channel: string, data: unknown, opts?: { echo?: boolean }): Promise<void>;
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Wire envelope; kept tiny because every relayed frame pays for it. */
export interface BusEnvelope {
  i: string;
  d: unknown;
}
