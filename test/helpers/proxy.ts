import { type AddressInfo, type Server, type Socket, createServer, connect } from 'node:net';

/**
 * A TCP proxy on loopback between the driver and a server, for fault tests: it forwards
 * bytes both ways and can cut every open connection (as a network fault mid-batch would).
 */
export class FaultProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  cuts = 0;
  connections = 0;
  private refusing = false;
  private stalled = false;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      this.connections++;
      const upstream = connect(this.upstreamPort, this.upstreamHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
      if (this.stalled) {
        client.pause();
        upstream.pause();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  /** Destroys every open connection (both directions), like a network cut. */
  cut(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.cuts++;
    return n;
  }

  /** Cuts every connection and refuses new ones for `ms` (the server unreachable), then accepts again. */
  refuseFor(ms: number): void {
    this.cut();
    this.refusing = true;
    setTimeout(() => (this.refusing = false), ms).unref();
  }

  /** Stops forwarding in both directions for `ms` (a hung server or network), then resumes. */
  stallFor(ms: number): void {
    this.stalled = true;
    for (const s of this.sockets) s.pause();
    setTimeout(() => {
      this.stalled = false;
      for (const s of this.sockets) s.resume();
    }, ms).unref();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
