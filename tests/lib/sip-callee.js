'use strict';
// A second SIP user agent for the callbot tests: Debian's baresip on 127.0.0.1, driven through
// its ctrl_tcp module (netstrings of JSON). Accounts named by phone: those in `answer` pick up
// at once and, once the call is up, press `keys[phone]` one by one; those in `ring` only ring.
//
//   const callee = await startCallee({ answer: { '0911111111': ['1', '2', '2'] }, ring: ['0922222222'] });
//   callee.sipPort; callee.events (every event received); await callee.stop();

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./server');

const KEY_GAP_MS = 1200; // between key presses, and before the first: the prompt has started

/** A WAV of `seconds` of 8 kHz silence: what the callee says (baresip's file source needs 8 kHz). */
function silenceWav(file, seconds) {
  const data = 8000 * 2 * seconds;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0); b.writeUInt32LE(36 + data, 4); b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24); b.writeUInt32LE(16000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(data, 40);
  fs.writeFileSync(file, b);
}

function netstring(obj) {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

async function connect(port, deadline) {
  for (;;) {
    try {
      return await new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`baresip control port ${port} did not open: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function startCallee({ answer = {}, ring = [], sipPort: port }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-callee-'));
  const sipPort = port || await freePort();
  const ctrlPort = await freePort();
  silenceWav(path.join(dir, 'silence.wav'), 120);
  fs.writeFileSync(path.join(dir, 'config'), [
    'poll_method epoll', 'net_interface 127.0.0.1', `sip_listen 127.0.0.1:${sipPort}`,
    'audio_player alsa,null', 'audio_alert alsa,null', `audio_source aufile,${path.join(dir, 'silence.wav')}`,
    'module_path /usr/lib/baresip/modules', 'module g711.so', 'module aufile.so', 'module alsa.so',
    'module_app account.so', 'module_app menu.so', 'module_app ctrl_tcp.so', `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`, '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'accounts'), [
    ...Object.keys(answer).map((p) => `<sip:${p}@127.0.0.1>;regint=0;answermode=auto`),
    ...ring.map((p) => `<sip:${p}@127.0.0.1>;regint=0;answermode=manual`), '',
  ].join('\n'));
  const log = fs.openSync(path.join(dir, 'baresip.log'), 'a');
  const child = spawn('baresip', ['-f', dir], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const sock = await connect(ctrlPort, Date.now() + 10000);
  const events = [];
  const timers = [];
  let buf = Buffer.alloc(0);
  const send = (command, params = '') => sock.write(netstring({ command, params, token: 'callee' }));
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const colon = buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(buf.subarray(0, colon).toString());
      if (buf.length < colon + 2 + len) return;
      const msg = JSON.parse(buf.subarray(colon + 1, colon + 1 + len).toString('utf8'));
      buf = buf.subarray(colon + 2 + len);
      if (!msg.event) continue;
      events.push(msg);
      if (msg.type === 'CALL_ESTABLISHED') {
        const phone = /^sip:([^@]+)@/.exec(msg.accountaor)[1];
        (answer[phone] || []).forEach((key, i) => {
          // sndcode goes to the current agent's call: make the answering account current first
          timers.push(setTimeout(() => { send('uafind', msg.accountaor); send('sndcode', key); }, KEY_GAP_MS * (i + 1)));
        });
      }
    }
  });
  sock.on('error', () => {});
  return {
    sipPort,
    events,
    /** Places a call from the first account (to see how the other side takes it). */
    dial(uri) { send('dial', uri); },
    dir,
    /** The server's call lines, what the callee saw and its log's tail: why calls went as they did. */
    story(serverLog) {
      const calls = serverLog.split('\n').filter((l) => /call|agent|sip/i.test(l) && !/msg=request/.test(l)).slice(-40).join('\n  ');
      const seen = events.map((e) => `${e.type} ${e.accountaor || ''} ${e.param || ''}`.trim()).join('\n  ');
      let log = '';
      try { log = fs.readFileSync(path.join(dir, 'baresip.log'), 'utf8').split('\n').slice(-30).join('\n  '); } catch { /* stopped */ }
      return `server log:\n  ${calls}\ncallee events:\n  ${seen || '(none)'}\ncallee log:\n  ${log}`;
    },
    async stop() {
      timers.forEach(clearTimeout);
      sock.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => { if (child.exitCode !== null) r(); else child.once('exit', r); });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startCallee, silenceWav };
