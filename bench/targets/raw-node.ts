/**
 * The floor: a bare node:http pipe proxy with a keep-alive agent, no auth, no parsing.
 * Usage: node --import tsx targets/raw-node.ts <port> <upstream base url>
 */
import http from 'node:http';

const [port, upstream] = [Number(process.argv[2]), new URL(process.argv[3] ?? 'http://127.0.0.1:4010')];
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

http
  .createServer((req, res) => {
    const up = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(up);
  })
  .listen(port, '127.0.0.1');
