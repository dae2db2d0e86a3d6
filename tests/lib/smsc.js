'use strict';
// The test SMSC (tests/lib/smsc.pl, on Debian's Net::SMPP) driven from a test.
//
//   const smsc = await startSmsc('cordon', 'secret');
//   smsc.url                         smpp://cordon:secret@127.0.0.1:PORT for smpp_url
//   await smsc.until((e) => e.event === 'submit' && e.to === phone)
//   smsc.messages(phone)             the texts that phone got: segments joined, decoded
//   smsc.command('fail 0912345678')  (also ok, undeliv, drop)
//   await smsc.stop()

const { spawn } = require('node:child_process');
const path = require('node:path');

// GSM 03.38 basic set and its escape table, as far as an unaccented text uses them.
const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = { 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|' };

function decodeGsm(buf) {
  let s = '';
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x1b && i + 1 < buf.length) s += GSM_EXT[buf[++i]] || '?';
    else s += GSM[buf[i]];
  }
  return s;
}

function decodeUcs2(buf) {
  const u = [];
  for (let i = 0; i + 1 < buf.length; i += 2) u.push(buf.readUInt16BE(i));
  return String.fromCharCode(...u);
}

/** A submit's segment: {udh: {ref, total, index} | null, text}. */
function segment(e) {
  let b = Buffer.from(e.sm_hex, 'hex');
  let udh = null;
  if (e.esm_class & 0x40) {
    const len = b[0];
    const h = b.subarray(1, 1 + len);
    if (h[0] === 0x00 && h[1] === 3) udh = { ref: h[2], total: h[3], index: h[4] };
    b = b.subarray(1 + len);
  }
  return { udh, text: e.data_coding === 8 ? decodeUcs2(b) : decodeGsm(b) };
}

async function startSmsc(systemId, password) {
  const proc = spawn('perl', [path.join(__dirname, 'smsc.pl'), systemId, password], { stdio: ['pipe', 'pipe', 'pipe'] });
  const smsc = { events: [], stderr: '', proc };
  let buf = '';
  const waiters = new Set();
  proc.stdout.on('data', (d) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      smsc.events.push(JSON.parse(line));
      for (const w of waiters) w();
    }
  });
  proc.stderr.on('data', (d) => { smsc.stderr += d.toString('utf8'); });
  const exited = new Promise((r) => proc.on('close', r));

  smsc.until = (pred, ms = 15000) => new Promise((resolve, reject) => {
    const check = () => {
      const e = smsc.events.find(pred);
      if (e) { waiters.delete(check); clearTimeout(timer); resolve(e); }
    };
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`SMSC: timed out; events ${JSON.stringify(smsc.events.slice(-8))} ${smsc.stderr}`)); }, ms);
    waiters.add(check);
    check();
  });
  smsc.command = async (line) => {
    const before = smsc.events.length;
    proc.stdin.write(`${line}\n`);
    await smsc.until((e) => e.event === 'command' && e.command === line && smsc.events.indexOf(e) >= before);
  };
  smsc.submits = (to) => smsc.events.filter((e) => e.event === 'submit' && (!to || e.to === to));
  /** The texts a phone got, in order, each message's segments joined. */
  smsc.messages = (to) => {
    const out = [];
    const parts = new Map();
    for (const e of smsc.submits(to)) {
      const s = segment(e);
      if (!s.udh) { out.push(s.text); continue; }
      const p = parts.get(s.udh.ref) || [];
      p[s.udh.index - 1] = s.text;
      parts.set(s.udh.ref, p);
      if (p.filter((x) => x !== undefined).length === s.udh.total) out.push(p.join(''));
    }
    return out;
  };
  smsc.stop = async () => { proc.stdin.end(); proc.kill('SIGTERM'); await exited; };

  const l = await smsc.until((e) => e.event === 'listening', 10000);
  smsc.port = l.port;
  smsc.url = `smpp://${encodeURIComponent(systemId)}:${encodeURIComponent(password)}@127.0.0.1:${l.port}`;
  return smsc;
}

module.exports = { startSmsc, segment, decodeGsm, decodeUcs2 };
