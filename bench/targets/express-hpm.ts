/**
 * The baseline: Express + http-proxy-middleware, no auth.
 * Usage: node --import tsx targets/express-hpm.ts <port> <upstream base url>
 */
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const [port, upstream] = [Number(process.argv[2]), process.argv[3] ?? 'http://127.0.0.1:4010'];
const app = express();
app.use(createProxyMiddleware({ target: upstream, changeOrigin: true }));
app.listen(port, '127.0.0.1');
