/**
 * EXIF, the least of it. The phone re-encodes every photo to fit the server's
 * limits, and the browser's encoder writes no EXIF; but the server's review
 * checks (audits/imaging.py) read the capture time (Exif IFD DateTimeOriginal
 * + OffsetTimeOriginal) and position (GPS IFD, degrees/minutes/seconds with
 * N/S, E/W refs) from the file. So we read them from the original and write
 * them back into the re-encoded JPEG, with Orientation 1 because the pixels
 * were already drawn upright.
 */

const TAG = {
  orientation: 0x0112, exifIfd: 0x8769, gpsIfd: 0x8825,
  exifVersion: 0x9000, dateTimeOriginal: 0x9003, offsetTimeOriginal: 0x9011,
  gpsVersion: 0x0000, latRef: 0x0001, lat: 0x0002, lngRef: 0x0003, lng: 0x0004,
};
const TYPE = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5, UNDEFINED: 7 };
const TYPE_SIZE = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 }; // 9, 10: signed LONG, RATIONAL
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

const bytesOf = (input) => (input instanceof Uint8Array ? input : ArrayBuffer.isView(input)
  ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input));

/** JPEG segments before the image data: [{marker, start, end, dataStart}]. */
function segments(bytes) {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const list = [];
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return list; // not a marker: damaged, stop reading
    const marker = bytes[offset + 1];
    if (marker === 0xff) { offset += 1; continue; } // fill byte
    if (marker === 0xda || marker === 0xd9) break; // image data (or end) follows
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (length < 2 || offset + 2 + length > bytes.length) break;
    list.push({ marker, start: offset, end: offset + 2 + length, dataStart: offset + 4 });
    offset += 2 + length;
  }
  return list;
}

const isExifSegment = (bytes, s) => s.marker === 0xe1 && EXIF_HEADER.every((b, i) => bytes[s.dataStart + i] === b);

function readIfd(view, tiff, offset, little) {
  const entries = new Map();
  const count = view.getUint16(tiff + offset, little);
  for (let i = 0; i < count; i++) {
    const at = tiff + offset + 2 + i * 12;
    const type = view.getUint16(at + 2, little);
    const n = view.getUint32(at + 4, little);
    const size = (TYPE_SIZE[type] ?? 1) * n;
    const valueAt = size <= 4 ? at + 8 : tiff + view.getUint32(at + 8, little);
    if (valueAt + size > view.byteLength) continue; // points outside the segment: skip it
    entries.set(view.getUint16(at, little), { type, n, valueAt });
  }
  return entries;
}

function value(view, entry, little) {
  if (!entry) return null;
  const { type, n, valueAt } = entry;
  if (type === TYPE.ASCII) {
    let text = "";
    for (let i = 0; i < n; i++) {
      const c = view.getUint8(valueAt + i);
      if (c === 0) break;
      text += String.fromCharCode(c);
    }
    return text.trim() || null;
  }
  if (type === TYPE.SHORT) return view.getUint16(valueAt, little);
  if (type === TYPE.LONG) return view.getUint32(valueAt, little);
  if (type === TYPE.RATIONAL) {
    const parts = [];
    for (let i = 0; i < n; i++) parts.push(view.getUint32(valueAt + i * 8, little) / view.getUint32(valueAt + i * 8 + 4, little));
    return parts; // x/0 is NaN or Infinity: coordinate() refuses both
  }
  return null;
}

/** Degrees from (d, m, s) and a ref, null when unusable (no ref: the sign would be a guess). */
function coordinate(parts, ref, positive, negative, limit) {
  if (!Array.isArray(parts) || !parts.length || parts.length > 3 || parts.some((p) => !Number.isFinite(p))) return null;
  if (ref !== positive && ref !== negative) return null;
  const degrees = parts.reduce((sum, part, i) => sum + part / 60 ** i, 0);
  if (degrees < 0 || degrees > limit) return null;
  return ref === negative ? -degrees : degrees;
}

/**
 * Read what the review needs from a JPEG's EXIF. Never throws: a photo with
 * broken metadata is still a photo.
 * @param {ArrayBuffer|Uint8Array} input
 * @returns {{orientation: number|null, dateTimeOriginal: string|null, offsetTimeOriginal: string|null, lat: number|null, lng: number|null}}
 *   dateTimeOriginal as EXIF writes it ("YYYY:MM:DD HH:MM:SS", the camera's local time)
 */
export function readExif(input) {
  const result = { orientation: null, dateTimeOriginal: null, offsetTimeOriginal: null, lat: null, lng: null };
  try {
    const bytes = bytesOf(input);
    const segment = (segments(bytes) ?? []).find((s) => isExifSegment(bytes, s));
    if (!segment) return result;
    const view = new DataView(bytes.buffer, bytes.byteOffset + segment.dataStart + 6, segment.end - segment.dataStart - 6);
    const little = view.getUint16(0) === 0x4949; // "II"
    if (view.getUint16(2, little) !== 42) return result;
    const ifd0 = readIfd(view, 0, view.getUint32(4, little), little);
    result.orientation = value(view, ifd0.get(TAG.orientation), little);
    const exifAt = value(view, ifd0.get(TAG.exifIfd), little);
    const exif = exifAt ? readIfd(view, 0, exifAt, little) : new Map();
    const taken = value(view, exif.get(TAG.dateTimeOriginal) ?? ifd0.get(TAG.dateTimeOriginal), little);
    result.dateTimeOriginal = /^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/.test(taken ?? "") ? taken : null;
    const offset = value(view, exif.get(TAG.offsetTimeOriginal), little);
    result.offsetTimeOriginal = /^[+-]\d\d:\d\d$/.test(offset ?? "") ? offset : null;
    const gpsAt = value(view, ifd0.get(TAG.gpsIfd), little);
    if (gpsAt) {
      const gps = readIfd(view, 0, gpsAt, little);
      const lat = coordinate(value(view, gps.get(TAG.lat), little), value(view, gps.get(TAG.latRef), little), "N", "S", 90);
      const lng = coordinate(value(view, gps.get(TAG.lng), little), value(view, gps.get(TAG.lngRef), little), "E", "W", 180);
      if (lat !== null && lng !== null) Object.assign(result, { lat, lng });
    }
  } catch {
    // Truncated or hostile metadata: keep what was read.
  }
  return result;
}

const pad = (n) => String(n).padStart(2, "0");

/**
 * A Date as EXIF local time and its UTC offset (the phone's own zone).
 * @param {Date|number|string} date
 * @returns {{dateTimeOriginal: string, offsetTimeOriginal: string}}
 */
export function exifTime(date) {
  const d = new Date(date);
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  return {
    dateTimeOriginal: `${d.getFullYear()}:${pad(d.getMonth() + 1)}:${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    offsetTimeOriginal: `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`,
  };
}

/** Degrees as three rationals d/1, m/1, s/10000, rounded on the whole so 59.99995″ carries. */
function dms(degrees) {
  const units = Math.round(Math.abs(degrees) * 3600 * 10000); // 1/10000 arc-second
  const d = Math.floor(units / 36_000_000);
  const m = Math.floor((units % 36_000_000) / 600_000);
  return [[d, 1], [m, 1], [units % 600_000, 10000]];
}

/**
 * Big-endian TIFF: IFDs one after another, each followed by its values longer
 * than 4 bytes. An entry's data may be a function of the IFD offsets (pointers).
 * @param {Array<Array<{tag: number, type: number, count: number, data: number[] | ((offsets: number[]) => number[])}>>} ifds
 */
function tiff(ifds) {
  const size = (e) => TYPE_SIZE[e.type] * e.count;
  const offsets = [];
  let total = 8;
  for (const entries of ifds) {
    offsets.push(total);
    total += 2 + entries.length * 12 + 4 + entries.reduce((n, e) => n + (size(e) > 4 ? size(e) + (size(e) % 2) : 0), 0);
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set([0x4d, 0x4d, 0, 42, 0, 0, 0, 8]); // "MM", 42, first IFD at 8
  ifds.forEach((entries, index) => {
    let at = offsets[index];
    let extra = at + 2 + entries.length * 12 + 4;
    view.setUint16(at, entries.length);
    at += 2;
    for (const entry of [...entries].sort((a, b) => a.tag - b.tag)) { // readers expect ascending tags
      const data = typeof entry.data === "function" ? entry.data(offsets) : entry.data;
      view.setUint16(at, entry.tag);
      view.setUint16(at + 2, entry.type);
      view.setUint32(at + 4, entry.count);
      if (size(entry) <= 4) out.set(data, at + 8);
      else {
        view.setUint32(at + 8, extra);
        out.set(data, extra);
        extra += size(entry) + (size(entry) % 2); // values start on a word boundary
      }
      at += 12;
    }
    view.setUint32(at, 0); // no next IFD
  });
  return out;
}

const u16 = (n) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const ascii = (text) => [...text].map((c) => c.charCodeAt(0) & 0x7f).concat(0);
const rationals = (pairs) => pairs.flatMap(([num, den]) => [...u32(num), ...u32(den)]);

/**
 * Put a minimal EXIF APP1 (Orientation 1, DateTimeOriginal, OffsetTimeOriginal,
 * GPS latitude/longitude) into JPEG bytes, replacing any EXIF they carry.
 * Fields that are null or absent are left out. The segment goes after SOI
 * and a JFIF APP0 if there is one, where readers look for it.
 * @param {ArrayBuffer|Uint8Array} jpeg
 * @param {{dateTimeOriginal?: string|null, offsetTimeOriginal?: string|null, lat?: number|null, lng?: number|null}} meta
 * @returns {ArrayBuffer} a new JPEG
 */
export function writeExif(jpeg, { dateTimeOriginal = null, offsetTimeOriginal = null, lat = null, lng = null } = {}) {
  const bytes = bytesOf(jpeg);
  const list = segments(bytes);
  if (!list) throw new TypeError("not a JPEG");
  const exifEntries = [{ tag: TAG.exifVersion, type: TYPE.UNDEFINED, count: 4, data: ascii("0232").slice(0, 4) }];
  if (/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/.test(dateTimeOriginal ?? "")) {
    exifEntries.push({ tag: TAG.dateTimeOriginal, type: TYPE.ASCII, count: 20, data: ascii(dateTimeOriginal) });
    if (/^[+-]\d\d:\d\d$/.test(offsetTimeOriginal ?? "")) {
      exifEntries.push({ tag: TAG.offsetTimeOriginal, type: TYPE.ASCII, count: 7, data: ascii(offsetTimeOriginal) });
    }
  }
  const hasGps = Number.isFinite(lat) && Number.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  const ifds = [
    [
      { tag: TAG.orientation, type: TYPE.SHORT, count: 1, data: u16(1) },
      { tag: TAG.exifIfd, type: TYPE.LONG, count: 1, data: (offsets) => u32(offsets[1]) },
      ...(hasGps ? [{ tag: TAG.gpsIfd, type: TYPE.LONG, count: 1, data: (offsets) => u32(offsets[2]) }] : []),
    ],
    exifEntries,
  ];
  if (hasGps) {
    ifds.push([
      { tag: TAG.gpsVersion, type: TYPE.BYTE, count: 4, data: [2, 3, 0, 0] },
      { tag: TAG.latRef, type: TYPE.ASCII, count: 2, data: ascii(lat < 0 ? "S" : "N") },
      { tag: TAG.lat, type: TYPE.RATIONAL, count: 3, data: rationals(dms(lat)) },
      { tag: TAG.lngRef, type: TYPE.ASCII, count: 2, data: ascii(lng < 0 ? "W" : "E") },
      { tag: TAG.lng, type: TYPE.RATIONAL, count: 3, data: rationals(dms(lng)) },
    ]);
  }
  const body = tiff(ifds);
  const app1Length = 2 + EXIF_HEADER.length + body.length;
  const app1 = new Uint8Array(2 + app1Length);
  app1.set([0xff, 0xe1, ...u16(app1Length), ...EXIF_HEADER]);
  app1.set(body, 4 + EXIF_HEADER.length);

  const jfif = list[0]?.marker === 0xe0 ? list[0] : null;
  const insertAt = jfif ? jfif.end : 2;
  const parts = [bytes.subarray(0, insertAt), app1];
  let cursor = insertAt;
  for (const s of list) {
    if (s.start < insertAt || !isExifSegment(bytes, s)) continue;
    parts.push(bytes.subarray(cursor, s.start)); // drop the old EXIF segment
    cursor = s.end;
  }
  parts.push(bytes.subarray(cursor));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out.buffer;
}
