import { MongoClient } from 'mongodb';
import { afterEach, beforeEach } from 'vitest';
import { WirePeer } from './wire-peer.js';

/**
 * For each test of the file: a fresh wire peer and a real driver client connected to it (a
 * 500 ms socket timeout, so a write the peer never answers fails fast). Read `.peer` and
 * `.client` inside the tests.
 */
export function usePeerClient(): { readonly peer: WirePeer; readonly client: MongoClient } {
  const current = {} as { peer: WirePeer; client: MongoClient };
  beforeEach(async () => {
    current.peer = new WirePeer();
    await current.peer.start();
    current.client = new MongoClient(current.peer.uri('socketTimeoutMS=500'));
    await current.client.connect();
  });
  afterEach(async () => {
    await current.client.close();
    await current.peer.stop();
  });
  return current;
}
