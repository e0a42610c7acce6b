// A webhook receiver as a client developer writes one (docs/webhooks.md): a separate process that verifies
// every delivery with the `standardwebhooks` package. Prints one JSON line per request on stdout:
// {"verified":true,"id":…,"event":…} or {"verified":false,"id":…,"error":…}. PORT and WEBHOOK_SECRET come
// from the environment; it answers 204 to a verified delivery and 400 to anything else.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const event = webhook.verify(body, req.headers);
      const headers = {
        'webhook-id': req.headers['webhook-id'],
        'webhook-timestamp': req.headers['webhook-timestamp'],
        'webhook-signature': req.headers['webhook-signature'],
      };
      console.log(
        JSON.stringify({
          verified: true,
          id: req.headers['webhook-id'],
          signatures: String(req.headers['webhook-signature']).split(' ').length,
          event,
          raw: { headers, body },
        }),
      );
      res.writeHead(204).end();
    } catch (error) {
      console.log(JSON.stringify({ verified: false, id: req.headers['webhook-id'] ?? null, error: error.message }));
      res.writeHead(400).end('signature refused');
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ listening: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
