import { IvsClient } from '@aws-sdk/client-ivs';

/**
 * One IVS client per region, made on first use: calls about a channel go to the region in
 * its ARN. The SDK's own retries are off; callers retry throttling themselves, with jitter.
 */
export class IvsClients {
  private readonly clients = new Map<string, IvsClient>();

  constructor(private readonly make: (region: string) => IvsClient = (region) => new IvsClient({ region, maxAttempts: 1 })) {}

  for(region: string): IvsClient {
    let c = this.clients.get(region);
    if (!c) {
      c = this.make(region);
      this.clients.set(region, c);
    }
    return c;
  }
}
