import http from 'node:http';

export interface StreamTiming {
  ttftMs: number;
  gapsMs: number[];
}

/** One streamed call: time to the first content frame, and the gaps between content frames. */
export function timeStream(url: string, key: string | null, body: unknown): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const started = performance.now();
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    };
    if (key) headers.authorization = `Bearer ${key}`;
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      const times: number[] = [];
      let pending = '';
      res.on('data', (c: Buffer) => {
        const at = performance.now();
        pending += c.toString();
        let i = pending.indexOf('\n\n');
        while (i !== -1) {
          if (pending.slice(0, i).includes('"content":"') && !pending.slice(0, i).includes('"content":""'))
            times.push(at);
          pending = pending.slice(i + 2);
          i = pending.indexOf('\n\n');
        }
      });
      res.on('end', () =>
        resolve({
          ttftMs: (times[0] ?? performance.now()) - started,
          gapsMs: times.slice(1).map((t, j) => t - (times[j] as number)),
        }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor(s.length / 2)] as number) : Number.NaN;
};
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
