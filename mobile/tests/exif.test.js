import { test } from "node:test";
import assert from "node:assert/strict";
import { exifTime, readExif, writeExif } from "../src/core/exif.js";

// What a browser's canvas encoder gives: SOI, a JFIF APP0, tables, scan, EOI; no EXIF.
const APP0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
const REST = [0xff, 0xdb, 0x00, 0x05, 0x00, 0x01, 0x02, 0xff, 0xda, 0x00, 0x04, 0x01, 0x00, 0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9];
const browserJpeg = () => new Uint8Array([0xff, 0xd8, ...APP0, ...REST]).buffer;

// Made by Pillow (little-endian "II" TIFF, as many phones write): SOI, its EXIF APP1, EOI.
// Orientation 8, DateTimeOriginal 2024:05:01 12:34:56, OffsetTimeOriginal -03:30,
// GPS S 33°51'54.5", W 70°40'0.25".
const PILLOW_II = "/9j/4QDaRXhpZgAASUkqAAgAAAADABIBAwABAAAACAAAAGmHBAABAAAAMgAAACWIBAABAAAAbAAAAAAAAAACAAOQAgAUAAAAUAAAABGQAgAHAAAAZAAAAAAAAAAyMDI0OjA1OjAxIDEyOjM0OjU2AC0wMzozMAAABAABAAIAAgAAAFMAAAACAAUAAwAAAKIAAAADAAIAAgAAAFcAAAAEAAUAAwAAALoAAAAAAAAAIQAAAAEAAAAzAAAAAQAAAG0AAAACAAAARgAAAAEAAAAoAAAAAQAAAAEAAAAEAAAA/9k=";

const near = (a, b) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≉ ${b}`);

test("reads orientation, capture time, offset and GPS from a phone's little-endian EXIF", () => {
  const exif = readExif(Buffer.from(PILLOW_II, "base64"));
  assert.equal(exif.orientation, 8);
  assert.equal(exif.dateTimeOriginal, "2024:05:01 12:34:56");
  assert.equal(exif.offsetTimeOriginal, "-03:30");
  near(exif.lat, -(33 + 51 / 60 + 54.5 / 3600));
  near(exif.lng, -(70 + 40 / 60 + 0.25 / 3600));
});

test("what writeExif writes reads back the same: capture time, offset, GPS, orientation 1", () => {
  const meta = { dateTimeOriginal: "2025:11:30 09:08:07", offsetTimeOriginal: "+08:00", lat: 31.2304167, lng: 121.4737 };
  const exif = readExif(writeExif(browserJpeg(), meta));
  assert.equal(exif.orientation, 1);
  assert.equal(exif.dateTimeOriginal, meta.dateTimeOriginal);
  assert.equal(exif.offsetTimeOriginal, meta.offsetTimeOriginal);
  near(exif.lat, meta.lat);
  near(exif.lng, meta.lng);
});

test("southern and western coordinates keep their sign, and seconds that round to 60 carry", () => {
  const exif = readExif(writeExif(browserJpeg(), { lat: -33.999999999, lng: -179.99999999 }));
  near(exif.lat, -34);
  near(exif.lng, -180);
});

test("the original's EXIF carried through a re-encode ends up in the new JPEG", () => {
  const original = readExif(Buffer.from(PILLOW_II, "base64"));
  const exif = readExif(writeExif(browserJpeg(), original));
  assert.deepEqual({ ...exif, lat: exif.lat.toFixed(7), lng: exif.lng.toFixed(7) },
    { ...original, orientation: 1, lat: original.lat.toFixed(7), lng: original.lng.toFixed(7) });
});

test("the EXIF segment goes after the JFIF header and the image bytes are untouched", () => {
  const out = new Uint8Array(writeExif(browserJpeg(), { dateTimeOriginal: "2025:01:02 03:04:05" }));
  assert.deepEqual([...out.subarray(0, 2 + APP0.length)], [0xff, 0xd8, ...APP0]);
  assert.deepEqual([...out.subarray(2 + APP0.length, 2 + APP0.length + 2)], [0xff, 0xe1]);
  assert.deepEqual([...out.subarray(out.length - REST.length)], REST);
});

test("existing EXIF is replaced, not duplicated", () => {
  const once = writeExif(Buffer.from(PILLOW_II, "base64"), { dateTimeOriginal: "2025:01:02 03:04:05" });
  const text = Buffer.from(once).toString("latin1");
  assert.equal(text.split("Exif\0\0").length, 2);
  const exif = readExif(once);
  assert.equal(exif.dateTimeOriginal, "2025:01:02 03:04:05");
  assert.equal(exif.offsetTimeOriginal, null);
  assert.equal(exif.lat, null);
});

test("missing fields are left out rather than written as zeros", () => {
  assert.deepEqual(readExif(writeExif(browserJpeg(), {})), { orientation: 1, dateTimeOriginal: null, offsetTimeOriginal: null, lat: null, lng: null });
  assert.equal(readExif(writeExif(browserJpeg(), { dateTimeOriginal: "    :  :     :  :  " })).dateTimeOriginal, null);
});

test("reading never throws: not a JPEG, no EXIF, or cut-off EXIF give nulls", () => {
  const empty = { orientation: null, dateTimeOriginal: null, offsetTimeOriginal: null, lat: null, lng: null };
  assert.deepEqual(readExif(new TextEncoder().encode("<svg/>")), empty);
  assert.deepEqual(readExif(browserJpeg()), empty);
  const cut = new Uint8Array(Buffer.from(PILLOW_II, "base64")).slice(0, 120);
  assert.doesNotThrow(() => readExif(cut));
  const garbage = new Uint8Array(Buffer.from(PILLOW_II, "base64"));
  garbage.fill(0xff, 30, 60);
  assert.doesNotThrow(() => readExif(garbage));
});

test("writeExif refuses what is not a JPEG", () => {
  assert.throws(() => writeExif(new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer, {}), TypeError);
});

test("exifTime gives the phone's local wall time and its UTC offset", () => {
  const { dateTimeOriginal, offsetTimeOriginal } = exifTime(Date.UTC(2025, 5, 2, 9, 0, 0));
  assert.match(dateTimeOriginal, /^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/);
  assert.match(offsetTimeOriginal, /^[+-]\d\d:\d\d$/);
  const [, sign, h, m] = /([+-])(\d\d):(\d\d)/.exec(offsetTimeOriginal);
  const [date, time] = dateTimeOriginal.split(" ");
  const local = Date.parse(`${date.replaceAll(":", "-")}T${time}${sign}${h}:${m}`);
  assert.equal(local, Date.UTC(2025, 5, 2, 9, 0, 0));
});
