// Turn a File from the camera or the gallery into the bytes we upload: upright,
// within the server's limits (/api/v1/config/), re-encoded as JPEG with the
// capture time and position copied from the original's EXIF, hashed once.
// A full-size canvas is never made: iOS refuses canvases over 16.7 MP and a
// 24 MP photo would take ~100 MB. createImageBitmap decodes straight to the
// target size; only a canvas of that size is drawn.

import { readExif, writeExif } from "../core/exif.js";
import { sha256Hex } from "../core/hash.js";

// The server keeps copies up to 4000 px on the longest side; more is never looked at.
const LONGEST_EDGE = 4000;
const QUALITIES = [0.85, 0.75, 0.65];

/** Width and height as the photo is seen (EXIF orientation applied), from its header only. */
function orientedSize(file) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve({ width: img.naturalWidth, height: img.naturalHeight });
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("not an image this phone can read"));
    };
    img.src = url;
  });
}

export function targetSize({ width, height }, { maxPixels, maxEdge = LONGEST_EDGE }) {
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)), maxEdge / Math.max(width, height));
  // floor: rounding up could land one pixel row over the limit.
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

async function encode(bitmap, width, height, quality) {
  if (typeof OffscreenCanvas === "function") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    return canvas.convertToBlob({ type: "image/jpeg", quality });
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  canvas.width = canvas.height = 0; // free the pixels now (Safari keeps them otherwise)
  return blob;
}

function isoFromExif(dateTime, offset) {
  const match = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/.exec(dateTime || "");
  if (!match) return null;
  const [, y, mo, d, hh, mm, ss] = match;
  const at = new Date(`${y}-${mo}-${d}T${hh}:${mm}:${ss}${offset || ""}`);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/**
 * @param {File} file
 * @param {{photo_max_bytes?: number, photo_max_pixels?: number}} config the server's limits
 * @param {{fromCamera?: boolean}} [options]
 * @returns {Promise<{bytes: ArrayBuffer, type: string, sha256: string, size: number, width: number, height: number, takenAt: string|null, lat: number|null, lng: number|null}>}
 */
export async function preparePhoto(file, config = {}, { fromCamera = false } = {}) {
  const maxBytes = config.photo_max_bytes || 15 * 1024 * 1024;
  const maxPixels = config.photo_max_pixels || 50_000_000;
  const head = await file.slice(0, 256 * 1024).arrayBuffer(); // EXIF lives in the first 64 KB
  const meta = readExif(head);
  const size = await orientedSize(file);
  let target = targetSize(size, { maxPixels });
  let bytes = null;
  for (let round = 0; round < 4 && !bytes; round++) {
    const bitmap = await createImageBitmap(file, {
      resizeWidth: target.width,
      resizeHeight: target.height,
      resizeQuality: "high",
      imageOrientation: "from-image",
    });
    try {
      for (const quality of QUALITIES) {
        const blob = await encode(bitmap, target.width, target.height, quality);
        const encoded = writeExif(await blob.arrayBuffer(), meta);
        if (encoded.byteLength <= maxBytes) {
          bytes = encoded;
          break;
        }
      }
    } finally {
      bitmap.close();
    }
    if (!bytes) target = { width: Math.floor(target.width * 0.75), height: Math.floor(target.height * 0.75) };
  }
  if (!bytes) throw new Error("too large even when reduced");
  return {
    bytes,
    type: "image/jpeg",
    sha256: await sha256Hex(bytes),
    size: bytes.byteLength,
    width: target.width,
    height: target.height,
    // A camera capture's file time is when it was taken; a gallery file's may be any copy's.
    takenAt: isoFromExif(meta.dateTimeOriginal, meta.offsetTimeOriginal) ?? (fromCamera ? new Date(file.lastModified || Date.now()).toISOString() : null),
    lat: meta.lat ?? null,
    lng: meta.lng ?? null,
  };
}
