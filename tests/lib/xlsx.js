'use strict';
// A minimal XLSX writer for tests: one sheet, shared strings or inline strings, stored
// (uncompressed) or deflated ZIP entries. Enough to feed the server's XLSX reader real
// workbooks, and hostile ones (a small file whose sheet inflates to tens of MiB).

const zlib = require('node:zlib');

function crc32(buf) {
  let c;
  const table = crc32.table || (crc32.table = Array.from({ length: 256 }, (_, n) => {
    c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let crc = 0xFFFFFFFF;
  for (const b of buf) crc = table[(crc ^ b) & 0xFF] ^ (crc >>> 8);
  return (crc ^ 0xFFFFFFFF) >>> 0;
}

/** ZIP archive of {name: string|Buffer}; entries stored, or deflated when opts.deflate. */
function zip(files, opts = {}) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const fname = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const method = opts.deflate ? 8 : 0;
    const stored = opts.deflate ? zlib.deflateRawSync(data, { level: 9 }) : data;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 6);
    local.writeUInt16LE(method, 8); local.writeUInt32LE(0, 10); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26); local.writeUInt16LE(0, 28);
    locals.push(local, fname, stored);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8); central.writeUInt16LE(method, 10); central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(stored.length, 20); central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fname.length, 28); central.writeUInt32LE(offset, 42);
    centrals.push(central, fname);
    offset += 30 + fname.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(centrals.length / 2, 8); end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const colName = (i) => (i < 26 ? String.fromCharCode(65 + i) : colName(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));

/** The parts of a workbook around a sheet: {name: content}, ready for zip(). */
function workbookParts(sheetPath, sheetXml, sharedXml) {
  const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>',
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${ns}" xmlns:r="${rel}"><sheets><sheet name="Kết quả" sheetId="1" r:id="rId7"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="${rel}/worksheet" Target="${sheetPath.replace(/^xl\//, '')}"/></Relationships>`,
    'xl/sharedStrings.xml': sharedXml,
    [sheetPath]: sheetXml,
  };
}

/**
 * An XLSX workbook whose first sheet holds rows (arrays of strings or numbers). Strings go to
 * the shared-string table unless opts.inline; the sheet file is named opts.sheetPath
 * (default xl/worksheets/data.xml, so readers must follow the relationships); opts.deflate
 * compresses the entries.
 */
function xlsx(rows, opts = {}) {
  const sheetPath = opts.sheetPath || 'xl/worksheets/data.xml';
  const shared = [];
  const index = new Map();
  const cells = rows.map((row, r) => `<row r="${r + 1 + (opts.rowOffset || 0)}">${row.map((v, c) => {
    const ref = `${colName(c)}${r + 1 + (opts.rowOffset || 0)}`;
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
    if (opts.inline) return `<c r="${ref}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`;
    if (!index.has(v)) { index.set(v, shared.length); shared.push(v); }
    return `<c r="${ref}" t="s"><v>${index.get(v)}</v></c>`;
  }).join('')}</row>`).join('');
  const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  return zip(workbookParts(sheetPath,
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${ns}"><sheetData>${cells}</sheetData></worksheet>`,
    `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${ns}">${shared.map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`),
  { deflate: opts.deflate });
}

/**
 * A hostile workbook: its sheet is `body` repeated to `bytes` bytes inside <sheetData>,
 * deflated (a few KiB on the wire for tens of MiB of XML) unless opts.stored.
 */
function xlsxBomb(bytes, body = '<x/>', opts = {}) {
  const sheet = Buffer.concat([Buffer.from('<worksheet><sheetData>'), Buffer.alloc(bytes, body),
    Buffer.from('</sheetData></worksheet>')]);
  return zip(workbookParts('xl/worksheets/sheet1.xml', sheet, '<sst/>'), { deflate: !opts.stored });
}

module.exports = { xlsx, xlsxBomb, zip, crc32 };
