'use strict';
// A local HTTP gateway for the outbox's senders: it takes each POSTed message, checks its
// signature when given the key, and answers as told.
//
//   const gw = await startGateway({ secret: 'k' });
//   gw.url                          where to point sms_http_url
//   gw.failFor.set('0912...', n)    answer 500 to that recipient's next n messages (Infinity: always)
//   gw.delayMs = 30                 wait this long before each answer
//   gw.received                     [{id, to, kind, text, ref, agent, signed, auth, raw, headers}] in the order taken
//   gw.attempts                     [{id, at}] every POST, taken or refused
//   await gw.stop()

const http = require('node:http');
const crypto = require('node:crypto');

function sign(secret, body) {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function startGateway({ secret } = {}) {
  const gw = { received: [], failFor: new Map(), delayMs: 0, attempts: [] };
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const msg = JSON.parse(body);
      gw.attempts.push({ id: msg.id, at: Date.now() });
      if (gw.delayMs) await new Promise((r) => setTimeout(r, gw.delayMs));
      const signed = secret ? req.headers['x-cordon-signature'] === sign(secret, body) : null;
      const left = gw.failFor.get(msg.to) || 0;
      if (left > 0) {
        gw.failFor.set(msg.to, left - 1);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"busy"}');
        return;
      }
      const ref = `gw-${++n}`;
      gw.received.push({ ...msg, ref, agent: req.headers['user-agent'], signed, auth: req.headers.authorization, raw: body, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ref }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  gw.url = `http://127.0.0.1:${server.address().port}/send`;
  gw.stop = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return gw;
}

module.exports = { startGateway, sign };
