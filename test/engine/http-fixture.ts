/** A tiny HTTP server on 127.0.0.1 for the uri/get_url/wait_for corpus files. */
import { createServer, type Server } from 'node:http';

export interface HttpFixture {
  port: number;
  close(): Promise<void>;
}

export async function startHttpFixture(): Promise<HttpFixture> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: 'fixture', items: [1, 2, 3] }));
      } else if (req.url === '/echo') {
        let received: unknown = body;
        try {
          received = JSON.parse(body);
        } catch {
          /* plain text body */
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, received }));
      } else if (req.url === '/file.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('downloadable content\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
