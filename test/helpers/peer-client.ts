import { MongoClient } from 'mongodb';
import { afterEach, beforeEach } from 'vitest';
import { WirePeer } from './wire-peer.js';

/** The current test's wire peer and the real driver client connected to it (set by usePeerClient). */
export let peer: WirePeer;
export let client: MongoClient;

/**
 * For each test of the file: a fresh wire peer and a real driver client connected to it (a
 * 500 ms socket timeout, so a write the peer never answers fails fast), as `peer` and `client`.
 */
export function usePeerClient(): void {
  beforeEach(async () => {
    peer = new WirePeer();
    await peer.start();
    client = new MongoClient(peer.uri('socketTimeoutMS=500'));
    await client.connect();
  });
  afterEach(async () => {
    await client.close();
    await peer.stop();
  });
}
