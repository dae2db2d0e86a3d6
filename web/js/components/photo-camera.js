// Taking one photo with the phone's camera: getUserMedia into a <video> preview, one frame
// drawn on a canvas (at most MAX_SIDE px on its long side), encoded as a JPEG blob. And the
// browser's location as a promise. Nothing here touches the server.

import { h } from '../dom.js';

const MAX_SIDE = 960;
const QUALITY = 0.8;

/**
 * A camera preview. start() asks for the camera and resolves once frames arrive (rejects
 * with the browser's error: NotAllowedError, NotFoundError, ...); capture() answers a JPEG
 * Blob of the current frame; stop() releases the camera (also when `signal` aborts).
 * facing: 'user' (the front camera, a selfie) or 'environment' (the back one, someone else).
 */
export function photoCamera({ signal, testid = 'camera', facing = 'user' } = {}) {
  const video = h('video', { class: 'camera-video', testid: `${testid}-video`, playsinline: true, muted: true, autoplay: true });
  video.muted = true;
  const el = h('div', { class: 'camera-frame', testid, 'data-state': 'off' }, video);
  let stream = null;

  function stop() {
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    video.srcObject = null;
    el.setAttribute('data-state', 'off');
  }
  if (signal) signal.addEventListener('abort', stop, { once: true });

  async function start() {
    if (stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw Object.assign(new Error('no camera API'), { name: 'NotSupportedError' });
    }
    el.setAttribute('data-state', 'starting');
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: facing, width: { ideal: 640 }, height: { ideal: 480 } }, audio: false,
      });
    } catch (e) {
      el.setAttribute('data-state', 'error');
      throw e;
    }
    if (signal && signal.aborted) { stop(); return; }
    video.srcObject = stream;
    await video.play().catch(() => {});
    if (!video.videoWidth) {
      await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
    }
    el.setAttribute('data-state', 'on');
  }

  function capture() {
    const w = video.videoWidth;
    const ht = video.videoHeight;
    if (!w || !ht) return Promise.reject(Object.assign(new Error('no frame'), { name: 'NoFrameError' }));
    const scale = Math.min(1, MAX_SIDE / Math.max(w, ht));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(ht * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encoding failed'))), 'image/jpeg', QUALITY);
    });
  }

  return { el, start, capture, stop };
}

/** A Blob as a data URL (what the check-in API accepts as `photo`). */
export function blobToDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

/** The browser's location: {lat, lon, accuracy_m}; rejects with the GeolocationPositionError. */
export function currentPosition({ timeout = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(Object.assign(new Error('no geolocation'), { code: 0 })); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy || 0) }),
      (e) => reject(e),
      { enableHighAccuracy: true, timeout, maximumAge: 0 });
  });
}
