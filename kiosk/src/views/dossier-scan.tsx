/**
 * The dossier code on the citizen's receipt (mã hồ sơ, issue 15), read by a
 * USB barcode scanner in keyboard mode (wedge-reader.ts, always listening
 * on the rating screen) or, where the browser has BarcodeDetector, by the
 * camera. Shows the code that waits for the vote, or why a scan was not a
 * dossier code.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { messages } from '../i18n/messages.ts';
import type { Lang } from '../i18n/messages.ts';
import type { KioskRuntime } from '../runtime/kiosk-runtime.ts';
import type { Scanned } from '../terminal/terminal-machine.ts';
import { WedgeReader } from '../terminal/wedge-reader.ts';

/** The browser's BarcodeDetector (Shape Detection API), where it exists. */
interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (o: { formats: string[] }) => Detector;

/** How often the camera frame is searched for a code (ms). */
const DETECT_EVERY_MS = 300;

/** Listens for scanner bursts on the whole page (not inside form fields: staff type there). */
export function useWedgeScanner(runtime: KioskRuntime, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return undefined;
    const reader = new WedgeReader();
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const code = reader.key(e.key, e.timeStamp);
      if (code !== undefined) {
        e.preventDefault();
        runtime.scan(code);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [runtime, enabled]);
}

function Camera({ runtime, lang, onClose }: { runtime: KioskRuntime; lang: Lang; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const Ctor = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
    if (Ctor === undefined) return undefined;
    const detector = new Ctor({ formats: ['qr_code', 'code_128', 'code_39', 'ean_13'] });
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    void navigator.mediaDevices
      ?.getUserMedia({ video: { facingMode: 'environment' } })
      .then((s) => {
        if (stopped) return s.getTracks().forEach((t) => t.stop());
        stream = s;
        if (video.current === null) return undefined;
        video.current.srcObject = s;
        // play() rejects with AbortError when the code is read and the view closes before playback
        // starts (the element is removed: HTML spec, "media element load algorithm"); nothing to do then.
        video.current.play().catch(() => undefined);
        timer = setInterval(() => {
          if (video.current === null) return;
          void detector.detect(video.current).then(
            (codes) => {
              const first = codes[0];
              if (first !== undefined && runtime.scan(first.rawValue)) onClose();
            },
            () => undefined,
          );
        }, DETECT_EVERY_MS);
        return undefined;
      })
      .catch(() => onClose());
    return () => {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [runtime, onClose]);
  return (
    <div class="camera" role="dialog" aria-label={messages(lang).scanCamera}>
      <video ref={video} muted playsInline />
      <button type="button" class="tool wide" onClick={onClose}>
        {messages(lang).scanCancel}
      </button>
    </div>
  );
}

/** The dossier line of the rating screen: the code waiting for the vote, a refused scan, the camera button. */
export function DossierScan({
  runtime,
  scanned,
  refused,
  lang,
  now,
}: {
  runtime: KioskRuntime;
  scanned: Scanned | undefined;
  refused: string | undefined;
  lang: Lang;
  now: number;
}) {
  const m = messages(lang);
  const [camera, setCamera] = useState(false);
  const hasDetector = typeof (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector === 'function';
  return (
    <div class="dossier-scan">
      {scanned !== undefined && scanned.until > now ? (
        <span class="ticket" data-testid="dossier">
          {m.dossier(scanned.dossier)}
        </span>
      ) : refused !== undefined ? (
        <span class="scan-refused" role="alert" data-testid="scan-refused">
          {m.scanRefused}
        </span>
      ) : null}
      {hasDetector && !camera ? (
        <button type="button" class="tool wide" onClick={() => setCamera(true)}>
          {m.scanCamera}
        </button>
      ) : null}
      {camera ? <Camera runtime={runtime} lang={lang} onClose={() => setCamera(false)} /> : null}
    </div>
  );
}
