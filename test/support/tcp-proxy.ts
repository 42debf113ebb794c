import net from 'node:net';

/**
 * A loopback TCP proxy in front of a real server, so a test can cut the database off under a
 * running app (every connection dropped, new ones refused) and bring it back on the same port,
 * or freeze it (connections stay open, nothing is forwarded either way) and thaw it.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly links = new Set<[net.Socket, net.Socket]>();
  private frozen = false;
  port = 0;
  /** Connections accepted so far. */
  accepted = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts accepting (on a fresh port the first time, the same port after). */
  async up(): Promise<void> {
    const server = net.createServer((client) => {
      this.accepted++;
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const link: [net.Socket, net.Socket] = [client, upstream];
      this.links.add(link);
      client.on('close', () => this.links.delete(link));
      if (this.frozen) {
        client.pause();
        upstream.pause();
      } else {
        client.pipe(upstream).pipe(client);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        resolve();
      });
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** A hung server: open connections stay up but carry nothing; new ones connect and hang too. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /**
   * Connections dropped without a word by a middlebox: the open ones stay up but carry nothing,
   * while new ones work.
   */
  freezeOpen(): void {
    for (const [client, upstream] of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Ends a {@link TcpProxy.freeze}: what was held back flows on. */
  thaw(): void {
    this.frozen = false;
    for (const [client, upstream] of this.links) client.pipe(upstream).pipe(client);
  }

  /** The outage: drops every open connection and refuses new ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server !== undefined)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
  }
}
