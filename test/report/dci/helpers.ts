/** Shared set-up for the DCI tests: a client wired to a fake server, with fast retries. */
import type { DciCredentials } from '../../../src/report/dci/credentials.js';
import { DciClient, type DciClientOptions } from '../../../src/report/dci/client.js';
import type { FakeDciServer } from '../../helpers/fake-dci-server.js';

export function fakeCredentials(fake: FakeDciServer, secret = fake.secret): DciCredentials {
  return { clientId: fake.clientId, clientType: 'remoteci', secret, csUrl: fake.url, apiUrl: `${fake.url}/api/v1`, source: 'test' };
}

export function clientFor(fake: FakeDciServer, options: Partial<DciClientOptions> & { secret?: string } = {}): DciClient {
  const { secret, ...rest } = options;
  return new DciClient({ credentials: fakeCredentials(fake, secret), retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 }, timeoutMs: 10_000, ...rest });
}

/** A clock that moves one second forward at each reading, so every signing attempt gets its own X-DCI-Date. */
export function steppingClock(start = Date.now()): () => Date {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
}
